// DrTools.HelpGen: writes the module's MAML help file from docs/cmdlets/*.md and the cmdlets' own metadata.
// Prose (synopsis, description, parameter text, examples) comes from the Markdown; syntax, types, positions and
// pipeline binding come from the compiled cmdlets, so help can never disagree with the code.
// The build fails when a cmdlet has no help page, a parameter is undocumented, or a page documents a parameter
// that does not exist.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace DrTools.HelpGen;

public static class Program
{
    public static int Main(string[] args)
    {
        string? assemblyPath = null, docsDir = null, outFile = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--assembly": assemblyPath = args[i + 1]; break;
                case "--docs": docsDir = args[i + 1]; break;
                case "--out": outFile = args[i + 1]; break;
            }
        }
        if (assemblyPath is null || docsDir is null || outFile is null)
        {
            Console.Error.WriteLine("usage: DrTools.HelpGen --assembly <DrTools.dll> --docs <docs/cmdlets> --out <DrTools.dll-Help.xml>");
            return 2;
        }

        // DrTools.Core and the other dependencies sit in the module's Dependencies/ subfolder.
        var dependencies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!, "Dependencies");
        System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (_, name) =>
            File.Exists(Path.Combine(dependencies, name.Name + ".dll")) ? Assembly.LoadFrom(Path.Combine(dependencies, name.Name + ".dll")) : null;
        var assembly = Assembly.LoadFrom(Path.GetFullPath(assemblyPath));
        var common = Directory.Exists(Path.Combine(docsDir, "common"))
            ? Directory.GetFiles(Path.Combine(docsDir, "common"), "*.md").Select(HelpPage.Parse).SelectMany(p => p.Parameters)
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        var errors = new List<string>();
        var commands = new List<XElement>();
        foreach (var type in assembly.GetExportedTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() != null)
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var cmdlet = CmdletInfoReader.Read(type);
            var page = Path.Combine(docsDir, cmdlet.Name + ".md");
            if (!File.Exists(page))
            {
                errors.Add($"{page}: error HG001: {cmdlet.Name} has no help page. Copy docs/cmdlets/TEMPLATE.md to {cmdlet.Name}.md and fill it in.");
                continue;
            }
            var help = HelpPage.Parse(page);
            var problems = help.Validate(cmdlet, common).Select(e => $"{page}: error HG002: {e}").ToList();
            errors.AddRange(problems);
            if (problems.Count == 0) commands.Add(Maml.Command(cmdlet, help, common));
        }

        foreach (var e in errors) Console.Error.WriteLine(e);
        if (errors.Count > 0) return 1;

        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(Maml.Msh + "helpItems", new XAttribute("schema", "maml"), commands));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
        doc.Save(outFile);
        Console.WriteLine($"DrTools.HelpGen: {commands.Count} cmdlet(s) -> {outFile}");
        return 0;
    }
}

internal sealed record ParameterMeta(
    string Name, Type Type, string[] Aliases, bool Mandatory, int Position, bool FromPipeline, bool FromPipelineByName,
    string[] Sets, string[] ValidValues);

internal sealed record CmdletMeta(string Verb, string Noun, Type Type, IReadOnlyList<ParameterMeta> Parameters,
    IReadOnlyList<string> SetNames, string? DefaultSet, IReadOnlyList<Type> Outputs)
{
    public string Name => Verb + "-" + Noun;
}

internal static class CmdletInfoReader
{
    public static CmdletMeta Read(Type type)
    {
        var attr = type.GetCustomAttribute<CmdletAttribute>()!;
        var parameters = new List<ParameterMeta>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var pattrs = prop.GetCustomAttributes<ParameterAttribute>().ToArray();
            if (pattrs.Length == 0) continue;
            var sets = pattrs.Select(p => p.ParameterSetName).Where(s => s != ParameterAttribute.AllParameterSets).ToArray();
            var first = pattrs[0];
            parameters.Add(new ParameterMeta(
                prop.Name, prop.PropertyType,
                prop.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).ToArray(),
                pattrs.Any(p => p.Mandatory), first.Position,
                pattrs.Any(p => p.ValueFromPipeline), pattrs.Any(p => p.ValueFromPipelineByPropertyName),
                sets,
                prop.GetCustomAttributes<ValidateSetAttribute>().SelectMany(v => v.ValidValues).ToArray()));
        }
        var setNames = parameters.SelectMany(p => p.Sets).Distinct().OrderBy(s => s == attr.DefaultParameterSetName ? 0 : 1).ToList();
        var outputs = type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type).Select(t => t.Type).Where(t => t != null).ToList();
        return new CmdletMeta(attr.VerbName, attr.NounName, type, parameters, setNames, attr.DefaultParameterSetName, outputs!);
    }
}

/// <summary>One help page in the PlatyPS-like Markdown layout described in docs/cmdlets/README.md.</summary>
internal sealed class HelpPage
{
    public string Synopsis = "";
    public string Description = "";
    public string Notes = "";
    public List<(string Title, string Code, string Remarks)> Examples = new();
    public Dictionary<string, string> Parameters = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Type, string Text)> Inputs = new();
    public List<(string Type, string Text)> Outputs = new();
    public List<string> Links = new();

    public static HelpPage Parse(string path)
    {
        var page = new HelpPage();
        string? h2 = null, h3 = null;
        var body = new StringBuilder();
        var code = new StringBuilder();
        bool inCode = false, inFrontMatter = false;
        var lines = File.ReadAllLines(path);

        void Flush()
        {
            var text = body.ToString().Trim();
            switch (h2)
            {
                case "SYNOPSIS": page.Synopsis = text; break;
                case "DESCRIPTION": page.Description = text; break;
                case "NOTES": page.Notes = text; break;
                case "EXAMPLES" when h3 != null: page.Examples.Add((h3, code.ToString().TrimEnd(), text)); break;
                case "PARAMETERS" when h3 != null: page.Parameters[h3.TrimStart('-')] = text; break;
                case "INPUTS" when h3 != null: page.Inputs.Add((h3, text)); break;
                case "OUTPUTS" when h3 != null: page.Outputs.Add((h3, text)); break;
                case "RELATED LINKS": page.Links.AddRange(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)); break;
            }
            body.Clear();
            code.Clear();
        }

        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (i == 0 && line.Trim() == "---") { inFrontMatter = true; continue; }
            if (inFrontMatter) { if (line.Trim() == "---") inFrontMatter = false; continue; }
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inCode = !inCode; continue; }
            if (inCode) { code.AppendLine(line); continue; }
            if (line.StartsWith("## ", StringComparison.Ordinal)) { Flush(); h2 = line.Substring(3).Trim().ToUpperInvariant(); h3 = null; continue; }
            if (line.StartsWith("### ", StringComparison.Ordinal)) { Flush(); h3 = line.Substring(4).Trim(); continue; }
            if (line.StartsWith("# ", StringComparison.Ordinal)) continue;
            body.AppendLine(line);
        }
        Flush();
        return page;
    }

    public IEnumerable<string> Validate(CmdletMeta cmdlet, IReadOnlyDictionary<string, string> common)
    {
        if (Synopsis.Length == 0) yield return $"{cmdlet.Name}: the SYNOPSIS section is empty.";
        if (Description.Length == 0) yield return $"{cmdlet.Name}: the DESCRIPTION section is empty.";
        if (Examples.Count == 0 || Examples.Any(e => e.Code.Length == 0))
            yield return $"{cmdlet.Name}: add at least one example under EXAMPLES, each with a ```powershell code block.";
        foreach (var p in cmdlet.Parameters)
        {
            var documented = Parameters.TryGetValue(p.Name, out var text) ? text : common.TryGetValue(p.Name, out var c) ? c : null;
            if (string.IsNullOrWhiteSpace(documented)) yield return $"{cmdlet.Name}: parameter -{p.Name} is not documented (add '### -{p.Name}' under PARAMETERS).";
        }
        foreach (var name in Parameters.Keys)
            if (!cmdlet.Parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                yield return $"{cmdlet.Name}: the page documents -{name}, which the cmdlet does not have.";
    }
}

internal static class Maml
{
    public static readonly XNamespace Msh = "http://msh";
    static readonly XNamespace M = "http://schemas.microsoft.com/maml/2004/10";
    static readonly XNamespace C = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    static readonly XNamespace D = "http://schemas.microsoft.com/maml/dev/2004/10";

    static IEnumerable<XElement> Paras(string text) =>
        text.Replace("\r", "").Split(new[] { "\n\n" }, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => new XElement(M + "para", string.Join(" ", p.Split('\n').Select(l => l.Trim())).Trim()));

    static string TypeName(Type t)
    {
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Nullable<>)) return TypeName(t.GetGenericArguments()[0]);
        return t.Name;
    }

    static XElement Parameter(ParameterMeta p, string text, bool inSyntax)
    {
        bool isSwitch = p.Type == typeof(SwitchParameter);
        var e = new XElement(C + "parameter",
            new XAttribute("required", p.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.Type.IsArray ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", p.FromPipeline && p.FromPipelineByName ? "True (ByValue, ByPropertyName)"
                : p.FromPipeline ? "True (ByValue)" : p.FromPipelineByName ? "True (ByPropertyName)" : "False"),
            new XAttribute("position", p.Position >= 0 ? p.Position.ToString() : "named"),
            new XAttribute("aliases", p.Aliases.Length > 0 ? string.Join(", ", p.Aliases) : "none"),
            new XElement(M + "name", p.Name),
            new XElement(M + "description", Paras(text)));
        if (inSyntax && p.ValidValues.Length > 0)
            e.Add(new XElement(C + "parameterValueGroup", p.ValidValues.Select(v => new XElement(C + "parameterValue",
                new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        if (!isSwitch)
            e.Add(new XElement(C + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), TypeName(p.Type)));
        e.Add(new XElement(D + "type", new XElement(M + "name", p.Type.FullName), new XElement(M + "uri")));
        e.Add(new XElement(D + "defaultValue", isSwitch ? "False" : "None"));
        return e;
    }

    public static XElement Command(CmdletMeta cmdlet, HelpPage help, IReadOnlyDictionary<string, string> common)
    {
        string Text(ParameterMeta p) => help.Parameters.TryGetValue(p.Name, out var t) ? t : common[p.Name];
        var sets = cmdlet.SetNames.Count > 0 ? cmdlet.SetNames : new List<string> { ParameterAttribute.AllParameterSets };
        var syntax = sets.Select(set => new XElement(C + "syntaxItem",
            new XElement(M + "name", cmdlet.Name),
            cmdlet.Parameters.Where(p => p.Sets.Length == 0 || p.Sets.Contains(set))
                .OrderBy(p => p.Position >= 0 ? p.Position : int.MaxValue).ThenBy(p => p.Mandatory ? 0 : 1)
                .Select(p => Parameter(p, Text(p), inSyntax: true))));

        var outputs = help.Outputs.Count > 0 ? help.Outputs : cmdlet.Outputs.Select(t => (t.FullName ?? t.Name, "")).ToList();
        return new XElement(C + "command",
            new XAttribute(XNamespace.Xmlns + "maml", M), new XAttribute(XNamespace.Xmlns + "command", C), new XAttribute(XNamespace.Xmlns + "dev", D),
            new XElement(C + "details",
                new XElement(C + "name", cmdlet.Name),
                new XElement(C + "verb", cmdlet.Verb),
                new XElement(C + "noun", cmdlet.Noun),
                new XElement(M + "description", Paras(help.Synopsis))),
            new XElement(M + "description", Paras(help.Description)),
            new XElement(C + "syntax", syntax),
            new XElement(C + "parameters", cmdlet.Parameters.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => Parameter(p, Text(p), inSyntax: false))),
            new XElement(C + "inputTypes", help.Inputs.Select(i => new XElement(C + "inputType",
                new XElement(D + "type", new XElement(M + "name", i.Type)), new XElement(M + "description", Paras(i.Text))))),
            new XElement(C + "returnValues", outputs.Select(o => new XElement(C + "returnValue",
                new XElement(D + "type", new XElement(M + "name", o.Item1)), new XElement(M + "description", Paras(o.Item2))))),
            new XElement(M + "alertSet", new XElement(M + "alert", Paras(help.Notes))),
            new XElement(C + "examples", help.Examples.Select(e => new XElement(C + "example",
                new XElement(M + "title", $"-------------------------- {e.Title} --------------------------"),
                new XElement(D + "code", e.Code),
                new XElement(D + "remarks", Paras(e.Remarks))))),
            new XElement(C + "relatedLinks", help.Links.Select(l => new XElement(M + "navigationLink",
                new XElement(M + "linkText", l.Trim('[', ']', '-', ' ')), new XElement(M + "uri")))));
    }
}
