import { loadProject } from '../core/config/project.js';
import { Configuration } from '../core/resolve/configuration.js';

// The measured process of `npm run bench:parse`: a fresh Node process that
// parses the synthetic project, merges layers, resolves every recipe and
// expands every variable of every recipe, then prints its figures as JSON.

const dir = process.argv[2];
const t0 = performance.now();
const cfg = new Configuration(loadProject(dir));
let variables = 0;
for (const name of cfg.catalog.recipes.keys()) {
  const data = cfg.recipe(name).data;
  for (const v of data.names()) {
    data.get(v);
    variables++;
  }
}
const parseMs = performance.now() - t0;
const rss = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  JSON.stringify({
    recipes: cfg.catalog.recipes.size,
    variables,
    parse_ms: Math.round(parseMs),
    peak_rss_mb: Math.round(rss),
    process_ms: Math.round(performance.now() + performance.timeOrigin - Number(process.argv[3])),
  }) + '\n',
);
