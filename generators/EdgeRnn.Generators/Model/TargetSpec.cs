using System.Collections.Generic;
using System.Linq;
using EdgeRnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EdgeRnn.Generators.Model;

/// <summary>A type declaration to reopen as partial: its keyword ("struct", "record struct", "class"…) and name with type parameters.</summary>
internal sealed record TypeDeclSpec(string Keyword, string Name);

/// <summary>
/// A struct carrying [EdgeRnnModel], as the emitter sees it: names only, never a location, so an edit that only
/// moves the declaration (a comment above it, code elsewhere in its file) leaves it equal and generation cached.
/// </summary>
internal sealed record TargetSpec(
    string? Namespace,
    EquatableArray<TypeDeclSpec> ContainingTypes,
    TypeDeclSpec Type,
    string DisplayName,
    string ModelPath)
{
    public string HintName
    {
        get
        {
            var parts = new List<string>();
            if (Namespace is not null) parts.Add(Namespace);
            parts.AddRange(ContainingTypes.Select(t => t.Name));
            parts.Add(Type.Name);
            return new string(string.Join(".", parts).Select(c => char.IsLetterOrDigit(c) || c == '.' ? c : '_').ToArray()) + ".EdgeRnn.g.cs";
        }
    }
}

/// <summary>
/// What [EdgeRnnModel] on a declaration says, and where: the target, the attribute argument's location and the
/// declaration's own problems. Plain data taken from the symbol, so no symbol stays in the pipeline. Locations
/// make it change on any edit that moves the declaration; <see cref="ResolvedTarget"/> splits them off.
/// </summary>
internal sealed record TargetDeclaration(TargetSpec Target, LocationInfo? AttributeLocation, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public static TargetDeclaration From(GeneratorAttributeSyntaxContext context)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var attribute = context.Attributes[0];
        string path = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
        var argument = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault();
        var location = LocationInfo.From((argument ?? (SyntaxNode?)attributeSyntax ?? context.TargetNode).GetLocation());
        var typeLocation = LocationInfo.From(((TypeDeclarationSyntax)context.TargetNode).Identifier.GetLocation());
        string display = symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);

        var diagnostics = new List<DiagnosticInfo>();
        var containing = new List<TypeDeclSpec>();
        for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, Describe(outer));

        bool allPartial = IsPartial(symbol);
        for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            allPartial &= IsPartial(outer);
        if (!allPartial)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.TypeNotPartial, typeLocation, display));
        if (symbol.IsGenericType)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display, "generic model types are not supported"));
        if (symbol.IsReadOnly)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display, "a readonly struct cannot carry the model's mutable state"));

        string? ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var target = new TargetSpec(ns, new EquatableArray<TypeDeclSpec>([.. containing]), Describe(symbol), display, path);
        return new TargetDeclaration(target, location, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static TypeDeclSpec Describe(INamedTypeSymbol type)
    {
        string keyword = type.TypeKind switch
        {
            TypeKind.Interface => "interface",
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            _ => type.IsRecord ? "record" : "class",
        };
        string name = type.TypeParameters.Length == 0
            ? type.Name
            : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        return new TypeDeclSpec(keyword, name);
    }
}

/// <summary>
/// A declaration matched to its model file. <see cref="ModelFile"/> is the manifest to generate from, null when
/// nothing can be generated; the diagnostics (with locations) are reported on their own output, apart from generation.
/// </summary>
internal sealed record ResolvedTarget(TargetSpec Target, string? ModelFile, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// What to generate for one target: the model, or null when its manifest or weights have errors. It holds no
/// location, so it stays equal (and the emitter does not re-run) unless the target's names, the manifest or the weights change.
/// </summary>
internal sealed record GenerationSpec(TargetSpec Target, string ModelFile, ModelSpec? Model);
