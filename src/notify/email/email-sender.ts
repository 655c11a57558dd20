import { detailLine, EMOJI, headline, mainLink, type Notification, plainText } from '../message.js';
import { type ChannelSender, failure, type MailMessage } from '../sender.js';

/** The mail of a notification: the headline as subject, plain text and HTML bodies. */
export function emailMessage(n: Notification): MailMessage {
  const link = mainLink(n);
  const rows = n.services
    .map(
      (s) =>
        `<tr><td style="padding:4px 12px 4px 0"><b>${html(s.name)}</b><br><small>${html(s.url)}</small></td>` +
        `<td style="padding:4px 0">${html(detailLine(s))}${s.link ? `<br><a href="${html(s.link)}">open</a>` : ''}</td></tr>`,
    )
    .join('');
  const body =
    `<h2 style="font-family:sans-serif">${EMOJI[n.event]} ${html(headline(n))}</h2>` +
    (rows
      ? `<table style="font-family:sans-serif;border-collapse:collapse">${rows}</table>`
      : '<p>If you can read this, the channel works.</p>') +
    (link ? `<p><a href="${html(link)}">Open statuschecker</a></p>` : '') +
    `<p style="color:#6e7781;font-size:small">Delivery ${html(n.deliveryId)}</p>`;
  return {
    subject: `${EMOJI[n.event]} ${headline(n)}`.slice(0, 200),
    text: plainText(n),
    html: body,
    headers: { 'X-Statuschecker-Event': n.event, 'X-Statuschecker-Delivery': n.deliveryId },
  };
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const emailSender: ChannelSender = {
  kind: 'EMAIL',
  send(n, channel, transports, signal) {
    if (!channel.email) return Promise.resolve(failure('the channel has no email settings', true));
    return transports.sendMail(channel.email, channel.secret, emailMessage(n), signal);
  },
};
