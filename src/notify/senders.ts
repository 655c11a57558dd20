import type { ChannelKind } from './channel-input.js';
import { discordSender } from './discord/discord-sender.js';
import { emailSender } from './email/email-sender.js';
import { ntfySender } from './ntfy/ntfy-sender.js';
import { pagerDutySender } from './pagerduty/pagerduty-sender.js';
import type { ChannelSender } from './sender.js';
import { slackSender } from './slack/slack-sender.js';
import { teamsSender } from './teams/teams-sender.js';
import { webhookSender } from './webhook/webhook-sender.js';

/** Every channel kind's sender: adding a kind is a folder and a line here. */
export const SENDERS: Readonly<Record<ChannelKind, ChannelSender>> = {
  WEBHOOK: webhookSender,
  SLACK: slackSender,
  DISCORD: discordSender,
  TEAMS: teamsSender,
  NTFY: ntfySender,
  PAGERDUTY: pagerDutySender,
  EMAIL: emailSender,
};
