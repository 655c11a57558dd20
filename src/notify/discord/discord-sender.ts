import type { NotificationEvent } from '../channel-input.js';
import { detailLine, EMOJI, headline, mainLink, type Notification } from '../message.js';
import type { ChannelSender } from '../sender.js';

/** Discord allows 25 fields an embed. */
const LISTED = 24;
const COLOR: Partial<Record<NotificationEvent, number>> = {
  DOWN: 0xd93f0b,
  UP: 0x2da44e,
  DEGRADED: 0xfbca04,
  REMINDER: 0xd93f0b,
  STABLE: 0x2da44e,
};

/** A Discord webhook message: `content` plus one embed with a field per service. */
export function discordPayload(n: Notification): unknown {
  const title = `${EMOJI[n.event]} ${headline(n)}`;
  const fields = n.services.slice(0, LISTED).map((s) => ({
    name: s.name.slice(0, 256),
    value: `${detailLine(s)}${s.link ? `\n${s.link}` : ''}`.slice(0, 1024),
  }));
  const more = n.services.length - fields.length;
  if (more > 0) fields.push({ name: '…', value: `and ${more} more` });
  const link = mainLink(n);
  return {
    content: title.slice(0, 2000),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: title.slice(0, 256),
        ...(link ? { url: link } : {}),
        color: COLOR[n.event] ?? 0x6e7781,
        timestamp: n.at.toISOString(),
        fields,
        footer: { text: `delivery ${n.deliveryId}` },
      },
    ],
  };
}

export const discordSender: ChannelSender = {
  kind: 'DISCORD',
  send: (n, channel, transports, signal) =>
    transports.postJson(channel.url ?? '', JSON.stringify(discordPayload(n)), {}, signal),
};
