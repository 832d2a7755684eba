import { SETTING_LIST } from './settings.js';
import type { SettingGroup, SettingSpec } from './settings.js';
import { BOOLEAN_WORDS } from './values.js';

const GROUP_TITLES: Readonly<Record<SettingGroup, string>> = {
  health: 'Health app (probes only; never metrics)',
  metrics: 'Metrics (OpenTelemetry)',
  otlp: 'OTLP push (read only when the exporter list has `otlp`; per the OTel exporter spec)',
  kubernetes: 'Kubernetes and leader election',
  controller: 'Controller',
  ovn: 'OVN northbound (Kube-OVN\'s flags; with --ovn-nb-addr unset the controller allocates addresses only and programs no OVN)',
  downward: 'Downward API (environment only; set them from fieldRef in the Deployment)',
};

const PREAMBLE = [
  'Usage: kube-ovn-controller [--flag=value | --flag value]...',
  '',
  'Every setting is a flag and an environment variable; the flag wins. An empty variable counts as unset.',
  `Booleans accept ${BOOLEAN_WORDS} (case-insensitive); a boolean flag alone means true.`,
  'Durations on flags and their variables use Go syntax (500ms, 30s, 1m30s, 2h);',
  'OTEL_* variables take integer milliseconds, as the OTel spec defines them.',
  'Default exporter: `prometheus`, not the OTel spec\'s `otlp`: Kube-OVN users expect pull metrics,',
  'and with no OTLP endpoint configured a push exporter would push to nowhere.',
  'OTEL_METRIC_EXPORT_INTERVAL/_TIMEOUT are read when the exporter list has `otlp` or `console`.',
  'An invalid or contradictory value stops the controller with exit code 2 before anything listens.',
];

function entry(spec: SettingSpec): string[] {
  const names = [spec.flag === undefined ? undefined : `${spec.flag} ${spec.value}`, spec.env === undefined ? undefined : `$${spec.env}`];
  const defaultText = spec.defaultText ?? (spec.default === '' ? 'empty' : spec.default);
  return [
    `  ${names.filter((n) => n !== undefined).join(', ')}`,
    `      ${spec.help}`,
    `      default: ${defaultText}; unit: ${spec.unit}; off: ${spec.off}`,
  ];
}

/** The `--help` text: every setting with its flag, variable, default, unit and "off" value. */
export function renderHelp(version: string): string {
  const lines = [`kube-ovn-controller ${version}: Kube-OVN's controller core, with health on its own port and OpenTelemetry metrics.`, '', ...PREAMBLE];
  let group: SettingGroup | undefined;
  for (const [, spec] of SETTING_LIST) {
    if (spec.group !== group) {
      group = spec.group;
      lines.push('', `${GROUP_TITLES[group]}:`);
    }
    lines.push(...entry(spec));
  }
  lines.push('', '  --help, -h      print this text and exit', '  --version       print the version and exit', '');
  return lines.join('\n');
}
