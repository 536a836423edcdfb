using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Diagnostics;

/// <summary>Every diagnostic EdgeRnn reports. Each id has a page under docs/diagnostics/.</summary>
internal static class Descriptors
{
    private const string Category = "EdgeRnn";
    private const string HelpBase = "https://github.com/edgernn/edgernn/blob/main/docs/diagnostics/";
    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new();

    public static readonly DiagnosticDescriptor ModelNotInAdditionalFiles = Error("ERNN0001",
        "Model file is not among the AdditionalFiles",
        "The model file '{0}' named by [EdgeRnnModel] on '{1}' is not among the compilation's AdditionalFiles; add <EdgeRnnModel Include=\"{0}\" /> to the project{2}");

    public static readonly DiagnosticDescriptor ModelNotEdgeRnnItem = Error("ERNN0002",
        "Model file is not an EdgeRnnModel item",
        "The file '{0}' is an AdditionalFile but not an <EdgeRnnModel> item, so its weights are not prepared by the build; declare it as <EdgeRnnModel Include=\"{0}\" /> (and import the EdgeRnn targets)");

    public static readonly DiagnosticDescriptor MalformedJson = Error("ERNN0003",
        "Malformed JSON",
        "'{0}' is not valid JSON: {1} at line {2}, column {3}");

    public static readonly DiagnosticDescriptor UnknownFormat = Error("ERNN0004",
        "Unknown manifest format",
        "'{0}': {1}; the supported format is \"edgernn/1\"");

    public static readonly DiagnosticDescriptor UnknownLayout = Error("ERNN0005",
        "Unknown weight layout",
        "'{0}': unknown layout \"{1}\"; supported layouts: \"pytorch\", \"keras\"");

    public static readonly DiagnosticDescriptor UnknownLayerType = Error("ERNN0006",
        "Unknown layer type",
        "'{0}': layer {1} has unknown type \"{2}\"; supported types: {3}");

    public static readonly DiagnosticDescriptor InvalidManifestValue = Error("ERNN0007",
        "Invalid manifest value",
        "'{0}': {1}");

    public static readonly DiagnosticDescriptor UnknownManifestProperty = Warning("ERNN0008",
        "Unknown manifest property",
        "'{0}': unknown property \"{1}\" in {2} is ignored; known properties: {3}");

    public static readonly DiagnosticDescriptor WeightsFileNotFound = Error("ERNN0009",
        "Weights file not found",
        "'{0}': the weights file '{1}' (resolved to '{2}') was not found or was not prepared by the build");

    public static readonly DiagnosticDescriptor SafetensorsTruncated = Error("ERNN0010",
        "Safetensors file truncated",
        "'{0}': the safetensors file is {1} bytes long, shorter than its 8-byte header length");

    public static readonly DiagnosticDescriptor SafetensorsHeaderBeyondFile = Error("ERNN0011",
        "Safetensors header length beyond the file",
        "'{0}': the safetensors header claims {1} bytes but only {2} bytes follow the length prefix");

    public static readonly DiagnosticDescriptor SafetensorsMalformedHeader = Error("ERNN0012",
        "Malformed safetensors header",
        "'{0}': malformed safetensors header: {1}");

    public static readonly DiagnosticDescriptor UnsupportedDtype = Error("ERNN0013",
        "Unsupported tensor dtype",
        "'{0}': tensor '{1}' has dtype {2}; supported dtypes: F32, F16, BF16");

    public static readonly DiagnosticDescriptor TensorDataOutOfRange = Error("ERNN0014",
        "Tensor data out of range",
        "'{0}': tensor '{1}' has data_offsets [{2}, {3}] but {4}");

    public static readonly DiagnosticDescriptor TensorDataOverlap = Error("ERNN0015",
        "Tensor data overlaps",
        "'{0}': the data of tensor '{1}' [{2}, {3}] overlaps tensor '{4}' [{5}, {6}]");

    public static readonly DiagnosticDescriptor MissingTensor = Error("ERNN0016",
        "Missing tensor",
        "'{0}': tensor '{1}' with shape {2} is missing from '{3}' ({4})");

    public static readonly DiagnosticDescriptor UnusedTensor = Warning("ERNN0017",
        "Unused tensor",
        "'{0}': tensor '{1}' {2} in '{3}' is not used by any layer");

    public static readonly DiagnosticDescriptor TensorShapeMismatch = Error("ERNN0018",
        "Tensor shape mismatch",
        "'{0}': tensor '{1}' should have shape {2} but has {3} ({4})");

    public static readonly DiagnosticDescriptor LayersDoNotChain = Error("ERNN0019",
        "Layers do not chain",
        "'{0}': layer {1} ({2}) takes inputs of size {3} (from '{4}' {5}) but {6} gives {7}");

    public static readonly DiagnosticDescriptor StatedSizeMismatch = Error("ERNN0020",
        "Stated size does not match the weights",
        "'{0}': the manifest states {1} = {2} but the weights give {3} (from '{4}' {5})");

    public static readonly DiagnosticDescriptor NonFiniteWeight = Error("ERNN0021",
        "Non-finite weight",
        "'{0}': tensor '{1}' holds {2} at index {3}; weights must be finite");

    public static readonly DiagnosticDescriptor TypeNotPartial = Error("ERNN0022",
        "Model type is not partial",
        "'{0}' must be declared partial (and so must every type containing it) for EdgeRnn to generate its members");

    public static readonly DiagnosticDescriptor InvalidSkip = Error("ERNN0023",
        "Invalid skip",
        "'{0}': \"skip\": {1} adds the first {1} input channel(s) to the output, but the model has {2} input(s) and {3} output(s)");

    public static readonly DiagnosticDescriptor InternalError = Error("ERNN0024",
        "Internal generator error",
        "EdgeRnn could not process '{0}' because of an internal error: {1}; please report it");

    public static readonly DiagnosticDescriptor UnsupportedTargetType = Error("ERNN0025",
        "Unsupported model type declaration",
        "'{0}' cannot hold a generated model: {1}");

    public static readonly DiagnosticDescriptor UnsupportedArchitecture = Error("ERNN0026",
        "Unsupported architecture",
        "'{0}': {1} is not supported; EdgeRnn runs LSTM, GRU and RNN layers with linear (dense) layers");

    public static readonly DiagnosticDescriptor BidirectionalCannotStream = Error("ERNN0027",
        "Bidirectional layers cannot stream",
        "'{0}': {1} is bidirectional: its backward direction reads the sequence from the end, so the model has only Run over whole sequences; remove \"streaming\": true or make the layer unidirectional");

    // ERNN0028-ERNN0029: the struct trap, reported by Analyzers/ModelCopyAnalyzer on the code that uses a model.
    public static readonly DiagnosticDescriptor ModelCopied = Warning("ERNN0028",
        "Model struct copied",
        "The model {0} is copied {1}: the copy and the original each carry their own state, and stepping one does not advance the other; {2}");

    public static readonly DiagnosticDescriptor ModelStateCannotAdvance = Error("ERNN0029",
        "Model struct state cannot advance",
        "{0} cannot advance the model's state: {1}; {2}");

    public static readonly DiagnosticDescriptor LimitExceeded = Error("ERNN0030",
        "Model exceeds a size limit",
        "'{0}': {1} exceeds EdgeRnn's limit of {2} ({3})");

    public static readonly DiagnosticDescriptor ModelFileEmpty = Error("ERNN0031",
        "Model file is empty or missing",
        "'{0}' is empty or could not be read; check that the <EdgeRnnModel Include=\"...\"> path names an existing model file");

    public static readonly DiagnosticDescriptor WeightsOutsideProject = Warning("ERNN0032",
        "Weights file outside the project",
        "'{0}': the weights file '{1}' resolves to '{2}', outside the project directory '{3}'; the build reads whatever file is there");

    // ERNN0033-ERNN0035: encoder–decoder models ("model": "seq2seq"), built by Seq2Seq/ModelBuilder.Seq2Seq.cs.
    public static readonly DiagnosticDescriptor Seq2SeqPartsDoNotFit = Error("ERNN0033",
        "Encoder–decoder parts do not fit",
        "'{0}': {1} is {2} but {3} is {4}: {5}");

    public static readonly DiagnosticDescriptor UnsupportedSeq2SeqForm = Error("ERNN0034",
        "Unsupported encoder–decoder form",
        "'{0}': {1} is not supported in an encoder–decoder model; {2}");

    public static readonly DiagnosticDescriptor TokenOutsideVocabulary = Error("ERNN0035",
        "Decoder token outside the vocabulary",
        "'{0}': \"{1}\": {2} is outside the target vocabulary of {3} tokens (from '{4}' {5})");

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    private static DiagnosticDescriptor Error(string id, string title, string message) => Add(id, title, message, DiagnosticSeverity.Error);
    private static DiagnosticDescriptor Warning(string id, string title, string message) => Add(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Add(string id, string title, string message, DiagnosticSeverity severity)
    {
        var d = new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
        s_byId.Add(id, d);
        return d;
    }
}
