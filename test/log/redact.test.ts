// Issue 13: credentials from OTLP headers and endpoint URLs never reach a log line.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { credentialsOf, parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { redactUrl } from '../../src/telemetry/index.js';

function setup(env: Record<string, string>) {
  const result = parseConfig({ argv: [], env: { OTEL_METRICS_EXPORTER: 'otlp', ...env }, version: '0', hostname: 'h' });
  if (result.kind !== 'ok') assert.fail(JSON.stringify(result));
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets: credentialsOf(result.config.metrics.exporters), destination: { write: (line: string) => void lines.push(line) } });
  return { config: result.config, logger, lines, text: () => lines.join('') };
}

describe('credentials in logs', () => {
  it('scrubs OTEL_EXPORTER_OTLP_HEADERS values wherever a line carries them: fields, messages, errors, JSON-escaped', () => {
    const env = setup({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t-t0ken,x-api-key=k%22ey"quoted' });
    const headers = env.config.metrics.exporters[0]?.kind === 'otlp' ? env.config.metrics.exporters[0].headers : {};
    env.logger.info({ headers }, 'exporter options');
    env.logger.error({ err: new Error('request failed with Bearer s3cr3t-t0ken') }, 'export failed: Bearer s3cr3t-t0ken');
    env.logger.warn({ raw: 'k"ey"quoted' }, 'odd');
    assert.doesNotMatch(env.text(), /s3cr3t-t0ken/);
    assert.doesNotMatch(env.text(), /k\\"ey\\"quoted/);
    assert.match(env.text(), /\[REDACTED\]/);
    for (const line of env.lines) JSON.parse(line);
  });

  it('scrubs the user info of an OTLP endpoint URL, raw and percent-decoded, and redactUrl drops it from the logged URL', () => {
    const env = setup({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://tenant:p%40ssw0rd@collector.example:4318' });
    const url = env.config.metrics.exporters[0]?.kind === 'otlp' ? env.config.metrics.exporters[0].url : '';
    env.logger.info({ url }, 'pushing');
    env.logger.info('password is p@ssw0rd');
    assert.doesNotMatch(env.text(), /p%40ssw0rd|p@ssw0rd|tenant/);
    assert.equal(redactUrl(url), 'https://REDACTED@collector.example:4318/v1/metrics');
    assert.equal(redactUrl('http://c:4318/v1/metrics?api_key=xyz'), 'http://c:4318/v1/metrics?REDACTED');
  });

  it('leaves lines alone when there is nothing secret', () => {
    const env = setup({});
    env.logger.info({ a: 1 }, 'plain');
    assert.match(env.text(), /"msg":"plain"/);
  });
});
