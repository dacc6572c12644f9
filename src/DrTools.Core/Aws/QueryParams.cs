using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Aws
{
    /// <summary>
    /// Builds the flattened form parameters of a Query-protocol call (RDS, Auto Scaling). Nulls are left out, so
    /// optional members are only sent when set. List encodings differ per service: RDS names members after the
    /// model's locationName (Tags.Tag.1.Key), Auto Scaling uses "member" (Tags.member.1.Key).
    /// </summary>
    internal sealed class QueryParams : IEnumerable<KeyValuePair<string, string>>
    {
        readonly List<KeyValuePair<string, string>> _items = new();

        public QueryParams Add(string name, string? value)
        {
            if (value != null) _items.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public QueryParams Add(string name, int? value) =>
            Add(name, value?.ToString(CultureInfo.InvariantCulture));

        public QueryParams Add(string name, bool? value) =>
            Add(name, value == null ? null : value.Value ? "true" : "false");

        /// <summary>Name.{member}.1, Name.{member}.2 ...; nothing when the list is null or empty.</summary>
        public QueryParams AddList(string name, string member, IEnumerable<string>? values)
        {
            if (values == null) return this;
            int i = 1;
            foreach (var v in values) Add($"{name}.{member}.{i++}", v);
            return this;
        }

        /// <summary>Name.{member}.N.Key / .Value for each tag.</summary>
        public QueryParams AddTags(string name, string member, IEnumerable<KeyValuePair<string, string>>? tags)
        {
            if (tags == null) return this;
            int i = 1;
            foreach (var t in tags)
            {
                Add($"{name}.{member}.{i}.Key", t.Key);
                Add($"{name}.{member}.{i}.Value", t.Value ?? "");
                i++;
            }
            return this;
        }

        /// <summary>Name.{member}.N.Name and Name.{member}.N.Values.{valueMember}.M for each filter.</summary>
        public QueryParams AddFilters(string name, string member, string valueMember, IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? filters)
        {
            if (filters == null) return this;
            int i = 1;
            foreach (var f in filters)
            {
                Add($"{name}.{member}.{i}.Name", f.Key);
                AddList($"{name}.{member}.{i}.Values", valueMember, f.Value);
                i++;
            }
            return this;
        }

        public QueryParams Clone()
        {
            var copy = new QueryParams();
            copy._items.AddRange(_items);
            return copy;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Typed reads of Query-protocol response XML (namespace-stripped).</summary>
    internal static class QueryXml
    {
        public static int? Int(this XElement e, string name) =>
            int.TryParse(e.Child(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

        public static bool Bool(this XElement e, string name) =>
            string.Equals(e.Child(name), "true", StringComparison.OrdinalIgnoreCase);

        public static bool? BoolOrNull(this XElement e, string name) =>
            e.Child(name) is { } s ? string.Equals(s, "true", StringComparison.OrdinalIgnoreCase) : null;

        /// <summary>ISO 8601 timestamp as UTC.</summary>
        public static DateTime? Date(this XElement e, string name) =>
            DateTime.TryParse(e.Child(name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var v)
                ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

        /// <summary>The children of a list wrapper, whatever the member element is called (DBInstance, member...).</summary>
        public static IEnumerable<XElement> Items(this XElement e, string listName) =>
            e.Element(listName)?.Elements() ?? Enumerable.Empty<XElement>();

        public static IReadOnlyList<string> Strings(this XElement e, string listName) =>
            e.Items(listName).Select(x => x.Value).ToList();

        /// <summary>A Tag list (Key/Value children) as a dictionary; later duplicates win.</summary>
        public static IReadOnlyDictionary<string, string> Tags(this XElement e, string listName)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var t in e.Items(listName))
                if (t.Child("Key") is { } key) tags[key] = t.Child("Value") ?? "";
            return tags;
        }
    }
}
