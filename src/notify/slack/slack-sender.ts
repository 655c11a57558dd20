import { detailLine, EMOJI, headline, mainLink, type Notification } from '../message.js';
import type { ChannelSender } from '../sender.js';

/** Services given a block of their own; the rest are counted. Slack allows 50 blocks a message. */
const LISTED = 20;

/** Slack's incoming-webhook payload (Mattermost and Rocket.Chat accept the same): text plus blocks. */
export function slackPayload(n: Notification): unknown {
  const title = `${EMOJI[n.event]} ${headline(n)}`;
  const listed = n.services.slice(0, LISTED).map((s) => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*${escapeMrkdwn(s.name)}*${s.link ? ` <${s.link}|open>` : ''}\n${escapeMrkdwn(detailLine(s))}`,
    },
  }));
  const more = n.services.length - listed.length;
  const link = mainLink(n);
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      ...listed,
      ...(more > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: `… and ${more} more` } }] : []),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${link ? `<${link}|statuschecker> · ` : ''}delivery ${n.deliveryId}` }],
      },
    ],
  };
}

/** Slack mrkdwn control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const slackSender: ChannelSender = {
  kind: 'SLACK',
  send: (n, channel, transports, signal) =>
    transports.postJson(channel.url ?? '', JSON.stringify(slackPayload(n)), {}, signal),
};
