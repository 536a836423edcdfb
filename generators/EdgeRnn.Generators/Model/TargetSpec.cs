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
    /// <summary>
    /// The generated file's name: the full type name with every character other than an ASCII letter, digit or '.'
    /// written as <c>_XXXX_</c> (its UTF-16 code), so two different types never share a name (A_B and A‿B did).
    /// </summary>
    public string HintName
    {
        get
        {
            var parts = new List<string>();
            if (Namespace is not null) parts.Add(Namespace);
            parts.AddRange(ContainingTypes.Select(t => t.Name));
            parts.Add(Type.Name);
            var name = new System.Text.StringBuilder();
            foreach (char c in string.Join(".", parts).Replace("@", ""))
            {
                if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.') name.Append(c);
                else name.Append('_').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)).Append('_');
            }
            return name + ".EdgeRnn.g.cs";
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
    /// <summary>
    /// The attribute also sits on another part of the same type (CS0579 reports it): only the first part in source
    /// order generates, so the type gets its members once and the generator never adds a file twice.
    /// </summary>
    public bool IsRepeatedPart { get; init; }

    /// <summary>Members the generator may emit (models add Layer{n}…Size and L{n}… weights; see <see cref="ClashesWithGenerated"/>).</summary>
    private static readonly HashSet<string> s_generatedMembers =
    [
        "InputSize", "OutputSize", "StateSize", "VocabSize", "EmbeddingSize", "ScratchSize", "RunChunkSteps", "RunChunkScratchSize",
        "SequenceWidth", "WorkspaceSize", "Reset", "Step", "Run", "CopyStateTo", "LoadState", "Generate", "StepCore", "RunChunk",
        "RunSequence", "CheckRun", "StateStorage", "ScratchStorage", "_state", "_scratch", "InitialState", "Embedding",
        "MaxSequenceSteps", "PackedWeights", "Prepare", "FinalStateSize", "CopyFinalState", "_finalState", "FinalStateStorage",
        // Encoder–decoder models (Seq2Seq/ModelEmitter.Seq2Seq.cs); their layers' weights are E{n}…, E{n}R… and D{n}….
        "DecoderStateSize", "MaxDecodeLength", "MaxBeamWidth", "MaxSourceLength", "DecoderHiddenSize", "DecoderLayerCount",
        "TargetEmbeddingSize", "FeatureSize", "SourceVocabSize", "SourceEmbeddingSize", "SourceStepSize", "EncoderHiddenSize",
        "EncoderOutputSize", "EncoderFinalStateSize", "Seq2SeqScratchSize", "AttentionKeyStride", "StartToken", "StopToken",
        "SourceLength", "EncoderOutputs", "CopyEncoderFinalState", "CopyEncoderFinalCellState", "Encode", "Start", "DecodeStep",
        "CopyDecoderStateTo", "LoadDecoderState", "SourceEmbedding", "TargetEmbedding", "AttentionV",
        "EncoderOutputsStorage", "EncoderBufferStorage", "EncoderFinalStorage", "AttentionKeysStorage", "FeaturesStorage",
        "DecoderStateStorage", "Seq2SeqScratchStorage", "_encoderOutputs", "_encoderBuffer", "_encoderFinal", "_attentionKeys",
        "_features", "_decoderState", "_seq2seqScratch", "_sourceLength", "_started",
        "BridgeHWeights", "BridgeHBias", "BridgeCWeights", "BridgeCBias", "FeaturesHWeights", "FeaturesHBias", "FeaturesCWeights",
        "FeaturesCBias", "AttentionKeyWeights", "AttentionKeyBias", "AttentionQueryWeights", "AttentionQueryBias",
        "CombineWeights", "CombineBias", "HeadWeights", "HeadBias",
        "BridgeHRows", "BridgeCRows", "FeaturesHRows", "FeaturesCRows", "AttentionKeyRows", "AttentionQueryRows", "CombineRows", "HeadRows",
    ];

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
        if (symbol.TypeKind != TypeKind.Struct)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display,
                $"[EdgeRnnModel] applies to a partial struct, not {(symbol.IsRecord ? "a record" : symbol.TypeKind == TypeKind.Interface ? "an interface" : "a class")}; to share one model, hold the struct in a class's field"));
        else if (symbol.IsReadOnly)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display, "a readonly struct cannot carry the model's mutable state"));
        else if (symbol.IsRefLikeType)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display,
                "a ref struct cannot implement the model interfaces or live in a field; declare a plain partial struct and pass it by ref"));
        if (ClashesWithGenerated(symbol.Name))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, typeLocation, display,
                $"its name '{symbol.Name}' is also the name of a member EdgeRnn generates; rename the type"));
        foreach (var member in symbol.GetMembers())
        {
            if (member.IsImplicitlyDeclared || !ClashesWithGenerated(member.Name)) continue;
            var at = member.Locations.FirstOrDefault(l => l.IsInSource);
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTargetType, at is null ? typeLocation : LocationInfo.From(at), display,
                $"its member '{member.Name}' has the name of a member EdgeRnn generates; rename it"));
        }

        string? ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n
            ? string.Join(".", n.ToDisplayString().Split('.').Select(Identifier))
            : null;
        var target = new TargetSpec(ns, new EquatableArray<TypeDeclSpec>([.. containing]), Describe(symbol), display, path);
        return new TargetDeclaration(target, location, new EquatableArray<DiagnosticInfo>([.. diagnostics]))
        {
            IsRepeatedPart = !IsFirstApplication(symbol, attribute),
        };
    }

    /// <summary>Generated member names, including each layer's (Layer{n}InputSize, Layer{n}OutputSize, L{n}… weights).</summary>
    internal static bool ClashesWithGenerated(string name)
    {
        if (s_generatedMembers.Contains(name)) return true;
        if (name.Length > 1 && name[0] is 'L' or 'E' or 'D' && char.IsDigit(name[1])) return true;
        return name.StartsWith("Layer", System.StringComparison.Ordinal) && name.Length > 5 && char.IsDigit(name[5])
            && (name.EndsWith("InputSize", System.StringComparison.Ordinal) || name.EndsWith("OutputSize", System.StringComparison.Ordinal));
    }

    private static bool IsFirstApplication(INamedTypeSymbol symbol, AttributeData attribute)
    {
        var mine = attribute.ApplicationSyntaxReference;
        if (mine is null) return true;
        var first = symbol.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == "EdgeRnn.EdgeRnnModelAttribute" && a.ApplicationSyntaxReference is not null)
            .Select(a => a.ApplicationSyntaxReference!)
            .OrderBy(r => r.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(r => r.Span.Start)
            .FirstOrDefault();
        return first is null || (first.SyntaxTree == mine.SyntaxTree && first.Span == mine.Span);
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
            ? Identifier(type.Name)
            : Identifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(p => Identifier(p.Name))) + ">";
        return new TypeDeclSpec(keyword, name);
    }

    /// <summary>A name as C# source: keywords escaped (<c>partial struct @class</c> is reopened as <c>@class</c>).</summary>
    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}

/// <summary>
/// A declaration matched to its model file. <see cref="ModelFile"/> is the manifest to generate from, null when
/// nothing can be generated; the diagnostics (with locations) are reported on their own output, apart from generation.
/// </summary>
/// <param name="Generates">The declaration can take generated members: a placeholder when the model fails (see <see cref="GenerationSpec"/>).</param>
internal sealed record ResolvedTarget(TargetSpec Target, string? ModelFile, bool Generates, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// What to generate for one target: the model, or null when its manifest or weights have errors. It holds no
/// location, so it stays equal (and the emitter does not re-run) unless the target's names, the manifest or the weights change.
/// </summary>
/// <remarks>
/// With no model (its file is not found, or its manifest or weights have errors) the emitter writes a placeholder with
/// the model API, so code that uses the struct still binds and the build shows the ERNN errors alone.
/// </remarks>
internal sealed record GenerationSpec(TargetSpec Target, string? ModelFile, ModelSpec? Model);
