using System.Linq;
using System.Xml.Linq;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>XML helpers. Responses are namespace-stripped so per-operation code can write x.Element("DBInstances").</summary>
    public static class WireXml
    {
        public static XElement StripNamespaces(XElement e) =>
            new XElement(e.Name.LocalName,
                e.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => new XAttribute(a.Name.LocalName, a.Value)),
                e.Nodes().Select(n => n is XElement c ? StripNamespaces(c) : n));

        /// <summary>Text of a direct child, or null.</summary>
        public static string? Child(this XElement e, string name) => e.Element(name)?.Value;

        /// <summary>Text of the first descendant with that name, or null.</summary>
        public static string? Find(this XElement e, string name) => e.DescendantsAndSelf(name).FirstOrDefault()?.Value;
    }
}
