import { detailLine, EMOJI, headline, mainLink, type Notification } from '../message.js';
import type { ChannelSender } from '../sender.js';

const LISTED = 20;

/** A Teams Workflows webhook message: one Adaptive Card (1.4) with a fact per service. */
export function teamsPayload(n: Notification): unknown {
  const link = mainLink(n);
  const facts = n.services.slice(0, LISTED).map((s) => ({ title: s.name, value: detailLine(s) }));
  const more = n.services.length - facts.length;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              size: 'Medium',
              weight: 'Bolder',
              wrap: true,
              text: `${EMOJI[n.event]} ${headline(n)}`,
            },
            { type: 'FactSet', facts },
            ...(more > 0 ? [{ type: 'TextBlock', wrap: true, text: `… and ${more} more` }] : []),
            { type: 'TextBlock', isSubtle: true, size: 'Small', wrap: true, text: `delivery ${n.deliveryId}` },
          ],
          actions: link ? [{ type: 'Action.OpenUrl', title: 'Open in statuschecker', url: link }] : [],
        },
      },
    ],
  };
}

export const teamsSender: ChannelSender = {
  kind: 'TEAMS',
  send: (n, channel, transports, signal) =>
    transports.postJson(channel.url ?? '', JSON.stringify(teamsPayload(n)), {}, signal),
};
