import { parse } from 'protobufjs';
import type { Type } from 'protobufjs';

/**
 * The subset of opentelemetry-proto (common/v1, resource/v1, metrics/v1,
 * collector/metrics/v1) the receiver decodes, written from the published field numbers.
 * Fields left out (exemplars, exponential histograms, summaries) are skipped by the decoder as
 * unknown fields, as any proto3 reader does.
 */
const PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0;
  AGGREGATION_TEMPORALITY_DELTA = 1;
  AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
  bool is_monotonic = 3;
}
message Histogram {
  repeated HistogramDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
}
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
  repeated KeyValue metadata = 12;
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
`;

export interface OtlpSchema {
  readonly request: Type;
  readonly response: Type;
}

/** Compiles the schema; protobufjs maps field names to camelCase, as OTLP/JSON spells them. */
export function loadOtlpSchema(): OtlpSchema {
  const { root } = parse(PROTO);
  return {
    request: root.lookupType('otlp.ExportMetricsServiceRequest'),
    response: root.lookupType('otlp.ExportMetricsServiceResponse'),
  };
}

/**
 * Decodes a protobuf request body into the same plain shape OTLP/JSON has (camelCase keys,
 * 64-bit integers as strings, enums as numbers, oneofs as their set field only).
 */
export function decodeProtobufRequest(schema: OtlpSchema, body: Uint8Array): unknown {
  const message = schema.request.decode(body);
  return schema.request.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true });
}
