import type { Checksum } from './types.js';

/**
 * A Discord bot token is `<base64(bot user id)>.<timestamp>.<HMAC>`: its first segment is the
 * unpadded base64 of the bot's numeric user id (a 17-20 digit snowflake).
 * https://discord.com/developers/docs/reference#authentication
 * https://discord.com/developers/docs/reference#snowflakes
 */
export const discordBotToken: Checksum = {
  name: 'discord-bot-token',
  description: 'first dot-separated segment is base64 of a 17-20 digit snowflake user id',
  validate(secret) {
    const first = secret.split('.')[0] ?? '';
    if (!/^[A-Za-z0-9_+/-]{23,27}$/.test(first)) return false;
    const decoded = Buffer.from(first.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
    return /^[1-9][0-9]{16,19}$/.test(decoded);
  },
};
