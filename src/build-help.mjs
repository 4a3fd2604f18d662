// The build's last step (npm run build, after tsc): writes dist/help.json, the help of every command as
// the CLI prints it off a terminal, so that bin/momentscan answers `--help` without loading the CLI
// (src/help-cache.ts says when it may).
import { helpTexts } from '../dist/cli.js';
import { writeHelpCache } from '../dist/help-cache.js';

writeHelpCache(await helpTexts());
