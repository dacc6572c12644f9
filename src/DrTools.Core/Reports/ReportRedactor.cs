using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace DrTools.Core.Reports
{
    /// <summary>
    /// Cleans every text that goes into a report. Always: removes secrets (secret keys, session tokens) wherever they
    /// appear. With -Redact: masks account ids, IP addresses and host names, consistently (the same value gets the
    /// same mask everywhere in the report, so a reader can still follow one host through the timeline).
    /// </summary>
    public sealed class ReportRedactor
    {
        // 12-digit account ids, alone or inside ARNs and resource names; not part of a longer number.
        static readonly Regex AccountId = new(@"(?<![0-9])[0-9]{12}(?![0-9])", RegexOptions.CultureInvariant);
        static readonly Regex IPv4 = new(@"(?<![0-9.])(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}(?:/[0-9]{1,2})?(?![0-9.])",
            RegexOptions.CultureInvariant);
        // Hex and colons standing alone (not inside a word such as AWS::EC2::Instance); kept only when it parses as an IPv6 address.
        static readonly Regex IPv6Candidate = new(@"(?<![0-9A-Za-z:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:/[0-9]{1,3})?(?![0-9A-Za-z:])", RegexOptions.CultureInvariant);
        // EC2 host names that carry an address without a domain: ip-10-0-1-5, ip-10-0-1-5.ec2.internal (the latter also as a host).
        static readonly Regex Ec2HostName = new(@"(?<![A-Za-z0-9-])ip(?:-[0-9]{1,3}){4}(?:\.[a-z0-9-]+)*(?![A-Za-z0-9-])", RegexOptions.CultureInvariant);
        // DNS names: lowercase labels with at least one dot and a letters-only last label (AWS and DNS write names in
        // lowercase; "DrTools.Timeout" error ids and "Get-DrBackup" are not hosts). An optional trailing dot.
        static readonly Regex HostName = new(@"(?<![A-Za-z0-9_.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\.?(?![A-Za-z0-9_-])",
            RegexOptions.CultureInvariant);
        // Dotted names that are file names, not hosts.
        static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
        {
            "json", "html", "htm", "md", "txt", "ps1", "psd1", "psm1", "ps1xml", "xml", "log", "dll", "exe", "zip", "csv", "yaml", "yml", "png", "tmp", "bak",
        };

        readonly IReadOnlyList<string> _secrets;
        readonly Dictionary<string, string> _masks = new(StringComparer.Ordinal);
        readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
        readonly IReadOnlyList<string> _knownHosts;

        /// <param name="redact">Mask account ids, IPs and host names (-Redact).</param>
        /// <param name="secrets">Values that must never appear (secret keys, session tokens); values under 4 characters are ignored.</param>
        /// <param name="knownHosts">Host names to mask even when they do not look like DNS names (this computer's name).</param>
        public ReportRedactor(bool redact, IEnumerable<string?>? secrets = null, IEnumerable<string?>? knownHosts = null)
        {
            Enabled = redact;
            // Longest first, so a secret that contains another is removed whole.
            _secrets = (secrets ?? Array.Empty<string>()).Where(s => !string.IsNullOrEmpty(s) && s!.Length >= 4).Select(s => s!)
                .Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
            _knownHosts = (knownHosts ?? Array.Empty<string>()).Where(h => !string.IsNullOrWhiteSpace(h) && h!.Length >= 2).Select(h => h!)
                .Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(h => h.Length).ToList();
        }

        public bool Enabled { get; }

        /// <summary>The text with secrets removed and, when enabled, identifiers masked.</summary>
        public string Clean(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            foreach (var secret in _secrets)
                text = text.Replace(secret, "[secret removed]");
            if (!Enabled) return text;
            foreach (var host in _knownHosts)
                text = Regex.Replace(text, @"(?<![A-Za-z0-9-])" + Regex.Escape(host) + @"(?![A-Za-z0-9-])", _ => Mask("host", host.ToLowerInvariant()), RegexOptions.IgnoreCase);
            text = Ec2HostName.Replace(text, m => Mask("host", m.Value.TrimEnd('.')));
            text = HostName.Replace(text, m =>
            {
                var name = m.Value.TrimEnd('.');
                var last = name.Substring(name.LastIndexOf('.') + 1);
                return FileExtensions.Contains(last) ? m.Value : Mask("host", name) + (m.Value.EndsWith(".", StringComparison.Ordinal) ? "." : "");
            });
            text = IPv4.Replace(text, m => Mask("ip", m.Value));
            text = IPv6Candidate.Replace(text, m =>
            {
                var address = m.Value.Split('/')[0];
                return address.Count(c => c == ':') >= 2 && address.Any(Uri.IsHexDigit) && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
                    ? Mask("ip", m.Value.ToLowerInvariant()) : m.Value;
            });
            text = AccountId.Replace(text, m => Mask("account", m.Value));
            return text;
        }

        public string? CleanOrNull(string? text) => text == null ? null : Clean(text);

        /// <summary>The same mask for the same value: "account-1", "ip-2", "host-1".</summary>
        string Mask(string kind, string value)
        {
            var key = kind + "\n" + value;
            if (_masks.TryGetValue(key, out var mask)) return mask;
            _counters.TryGetValue(kind, out var n);
            _counters[kind] = ++n;
            // Masks contain no digit run of 12, no dots and no "ip-" prefix followed by digits-dash-digits, so later passes leave them.
            mask = "[" + kind + "-" + n + "]";
            _masks[key] = mask;
            return mask;
        }
    }
}
