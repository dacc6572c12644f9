using System;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DrTools.Core.Reports
{
    /// <summary>
    /// The report as JSON for evidence stores (docs/report-schema.md): camelCase, properties in declaration order,
    /// times as ISO 8601 with the report zone's offset, durations in seconds, enums as strings, nulls omitted.
    /// </summary>
    public static class JsonReportRenderer
    {
        static readonly JsonSerializerOptions Options = new()
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Readable ids and messages ("+", "'", non-ASCII names); still valid JSON, and never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new SecondsConverter(), new NullableSecondsConverter(), new TimeConverter() },
        };

        public static string Render(DrReport report) => JsonSerializer.Serialize(report, Options).Replace("\r\n", "\n") + "\n";

        sealed class SecondsConverter : JsonConverter<TimeSpan>
        {
            public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => TimeSpan.FromSeconds(reader.GetDouble());
            public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
                writer.WriteRawValue(Math.Round(value.TotalSeconds, 3).ToString("0.###", CultureInfo.InvariantCulture));
        }

        sealed class NullableSecondsConverter : JsonConverter<TimeSpan?>
        {
            public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                reader.TokenType == JsonTokenType.Null ? null : TimeSpan.FromSeconds(reader.GetDouble());
            public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
            {
                if (value is { } v) writer.WriteRawValue(Math.Round(v.TotalSeconds, 3).ToString("0.###", CultureInfo.InvariantCulture));
                else writer.WriteNullValue();
            }
        }

        /// <summary>2026-12-05T03:48:45.123+02:00: milliseconds always, the offset always (never "Z"), for stable files.</summary>
        sealed class TimeConverter : JsonConverter<DateTimeOffset>
        {
            public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();
            public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
                writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        }
    }
}
