import { githubCrc32 } from './github-crc32.js';
import { gitlabRoutable } from './gitlab-routable.js';
import { packagistCrc32 } from './packagist-crc32.js';
import { elasticsearchApiKey } from './elasticsearch-api-key.js';
import { grafanaApiKey } from './grafana-api-key.js';
import { grafanaCloudToken } from './grafana-cloud-token.js';
import { grafanaSaCrc32 } from './grafana-sa-crc32.js';
import { jwt } from './jwt.js';
import { sentryOrgToken } from './sentry-org-token.js';
import { discordBotToken } from './discord-bot-token.js';
import { synapseCrc32 } from './synapse-crc32.js';
import type { Checksum } from './types.js';

export type { Checksum } from './types.js';

/** Every checksum a rule may name with `checksum: <name>`. One line per check. */
const ALL: readonly Checksum[] = [githubCrc32, gitlabRoutable, packagistCrc32, elasticsearchApiKey, grafanaApiKey, grafanaCloudToken, grafanaSaCrc32, jwt, sentryOrgToken, discordBotToken, synapseCrc32];

export const CHECKSUMS: ReadonlyMap<string, Checksum> = new Map(ALL.map((c) => [c.name, c]));
