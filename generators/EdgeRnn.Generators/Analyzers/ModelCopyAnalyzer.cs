using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using EdgeRnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EdgeRnn.Generators.Analyzers;

/// <summary>
/// The struct trap: a generated model holds its state inline, so a copy of it runs on its own and the original
/// never sees the steps. Reports copies of an existing model (ERNN0028) and state-changing calls that the compiler
/// makes on a hidden copy, plus models held in readonly fields (ERNN0029).
/// </summary>
/// <remarks>
/// A model type is a struct with [EdgeRnnModel] that the generator made one of <see cref="StatefulContractNames"/>:
/// a streaming model (its state), a bidirectional one (the h_n of its last Run) or an encoder–decoder (the encoded
/// source and the decoder state); a struct the generator rejected has no API.
/// A fresh value (<c>new</c>, <c>default</c>, a method's result) is not a copy of anything; only values read from a
/// variable that lives on are.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelCopyAnalyzer : DiagnosticAnalyzer
{
    /// <summary>What generated models implement (ITokenModel extends IEdgeRnnModel); each keeps state inline.</summary>
    private static readonly string[] StatefulContractNames = ["EdgeRnn.IEdgeRnnModel", "EdgeRnn.ISequenceModel", "EdgeRnn.Decoding.IStepDecoder"];

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.ModelCopied, Descriptors.ModelStateCannotAdvance);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(ModelGenerator.AttributeName);
            var contracts = StatefulContractNames.Select(start.Compilation.GetTypeByMetadataName).OfType<INamedTypeSymbol>().ToImmutableArray();
            if (attribute is null || contracts.IsEmpty) return;
            var models = new ModelTypes(attribute, contracts);

            start.RegisterSymbolAction(c => AnalyzeField(c, models), SymbolKind.Field);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, models), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeArgument(c, models), OperationKind.Argument);
            start.RegisterOperationAction(c => AnalyzeReturn(c, models), OperationKind.Return, OperationKind.YieldReturn);
            start.RegisterOperationAction(c => AnalyzeAssignment(c, models), OperationKind.SimpleAssignment);
            start.RegisterOperationAction(c => AnalyzeDeclarator(c, models), OperationKind.VariableDeclarator);
            start.RegisterOperationAction(c => AnalyzeMemberInitializer(c, models), OperationKind.FieldInitializer, OperationKind.PropertyInitializer);
            start.RegisterOperationAction(c => AnalyzeConversion(c, models), OperationKind.Conversion);
        });
    }

    /// <summary>Which types are stateful generated models (cached per compilation).</summary>
    private sealed class ModelTypes(INamedTypeSymbol attribute, ImmutableArray<INamedTypeSymbol> contracts)
    {
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _known = new(SymbolEqualityComparer.Default);

        public bool Contains(ITypeSymbol? type) =>
            type is INamedTypeSymbol { TypeKind: TypeKind.Struct } && _known.GetOrAdd(type, IsModel);

        private bool IsModel(ITypeSymbol type)
        {
            bool attributed = false;
            foreach (var a in type.GetAttributes())
                attributed |= SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute);
            if (!attributed) return false;
            foreach (var i in type.AllInterfaces)
                if (contracts.Contains(i, SymbolEqualityComparer.Default)) return true;
            return false;
        }
    }

    // ---- ERNN0029: the state cannot advance ----

    private static void AnalyzeField(SymbolAnalysisContext context, ModelTypes models)
    {
        var field = (IFieldSymbol)context.Symbol;
        if (!field.IsReadOnly || field.RefKind != RefKind.None || field.IsImplicitlyDeclared || !models.Contains(field.Type)) return;
        foreach (var location in field.Locations)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ModelStateCannotAdvance, location,
                $"The readonly field '{field.ContainingType.Name}.{field.Name}'",
                "outside a constructor, every call of a state-changing member (Step, Run, Reset, LoadState, Generate; Encode, DecodeStep, LoadDecoderState) on it runs on a copy that is then thrown away",
                "remove 'readonly'"));
        }
    }

    /// <summary>A state-changing member (any instance method not marked readonly) called on a copy of the model.</summary>
    private static void AnalyzeInvocation(OperationAnalysisContext context, ModelTypes models)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (invocation.Instance is not { } receiver || method.IsStatic || method.IsReadOnly || !models.Contains(method.ContainingType)) return;
        if (HiddenCopy(receiver, context.ContainingSymbol) is not { } copy) return;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ModelStateCannotAdvance, receiver.Syntax.GetLocation(),
            $"'{method.Name}'", $"it is called on a copy of {copy.What}, and the copy is thrown away after the call", copy.Fix));
    }

    private sealed record Copy(string What, string Fix);

    /// <summary>
    /// Why calling a state-changing member on <paramref name="receiver"/> runs on a copy (the compiler's defensive copy
    /// of a read-only variable, or a temporary holding a returned value), or null when the receiver is the model itself.
    /// </summary>
    private static Copy? HiddenCopy(IOperation receiver, ISymbol containingMember)
    {
        switch (receiver)
        {
            case ILocalReferenceOperation { Local: var local }:
                if (local.RefKind == RefKind.RefReadOnly)
                    return new($"'ref readonly' local '{local.Name}'", $"declare it 'ref var {local.Name} = ref ...'");
                if (local.IsForEach && local.RefKind == RefKind.None)
                    return new($"foreach variable '{local.Name}' (itself a read-only copy of the element)",
                        $"iterate by reference: 'foreach (ref var {local.Name} in models.AsSpan())'");
                return null;
            case IParameterReferenceOperation { Parameter: var parameter }:
                return parameter.RefKind switch
                {
                    RefKind.In => new($"'in' parameter '{parameter.Name}'", "take the parameter by 'ref' instead of 'in'"),
                    RefKind.RefReadOnlyParameter => new($"'ref readonly' parameter '{parameter.Name}'", "take the parameter by 'ref' instead of 'ref readonly'"),
                    _ => null,
                };
            case IFieldReferenceOperation { Field: var field } reference:
                // A ref field refers to a model elsewhere: 'readonly ref' only fixes the reference, not the model.
                if (field.RefKind == RefKind.Ref) return null;
                if (field.RefKind == RefKind.RefReadOnly)
                    return new($"'ref readonly' field '{field.ContainingType.Name}.{field.Name}'", "declare it 'ref' instead of 'ref readonly'");
                if (field.IsReadOnly && !WritableInConstructor(reference, containingMember))
                    return new($"readonly field '{field.ContainingType.Name}.{field.Name}'", "remove 'readonly' from the field");
                // A field of a struct is as writable as the struct variable holding it; a field of a class always is.
                return reference.Instance is { Type.IsValueType: true } holder ? HiddenCopy(holder, containingMember) : null;
            case IInstanceReferenceOperation { Type.IsValueType: true }:
                // (A readonly struct's fields are readonly themselves, so they are reported as fields above.)
                return containingMember is IMethodSymbol { IsReadOnly: true } readOnlyMember
                    ? new($"'this' in readonly member '{readOnlyMember.Name}'", "remove 'readonly' from the member")
                    : null;
            case IInvocationOperation { TargetMethod: var method }:
                return ReturnedCopy(method.ReturnsByRef, method.ReturnsByRefReadonly, $"'{method.Name}'");
            case IPropertyReferenceOperation { Property: var property }:
                return ReturnedCopy(property.ReturnsByRef, property.ReturnsByRefReadonly,
                    property.IsIndexer ? $"the indexer of '{property.ContainingType.Name}'" : $"property '{property.Name}'");
            case IConversionOperation:
                return new("the converted value", "convert once into a variable and call the variable");
            case IConditionalOperation { IsRef: false }:
                return new("the conditional expression's value", "choose by reference: 'ref var m = ref (c ? ref a : ref b);'");
            default:
                // Array and Span elements, ref locals and parameters are the model itself; a fresh 'new' or 'default'
                // is a temporary nobody else holds, so stepping it once is fine.
                return null;
        }
    }

    private static Copy? ReturnedCopy(bool returnsByRef, bool returnsByRefReadonly, string what)
    {
        if (returnsByRef) return null;
        if (returnsByRefReadonly)
            return new($"the 'ref readonly' returned by {what}", "use a member that returns 'ref'");
        return new($"the value returned by {what}",
            "call it on the field or array element that holds the model (a property or method returns a copy), or return 'ref'");
    }

    /// <summary>A readonly field can be written in its type's constructors (and init accessors), through 'this'.</summary>
    private static bool WritableInConstructor(IFieldReferenceOperation reference, ISymbol containingMember)
    {
        if (EnclosingFunction(reference, containingMember) is not IMethodSymbol method
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, reference.Field.ContainingType))
            return false;
        return reference.Field.IsStatic
            ? method.MethodKind == MethodKind.StaticConstructor
            : (method.MethodKind == MethodKind.Constructor || method.IsInitOnly) && reference.Instance is IInstanceReferenceOperation;
    }

    /// <summary>The lambda or local function an operation is in, else the member.</summary>
    private static ISymbol EnclosingFunction(IOperation operation, ISymbol containingMember)
    {
        for (var o = operation.Parent; o is not null; o = o.Parent)
        {
            if (o is IAnonymousFunctionOperation lambda) return lambda.Symbol;
            if (o is ILocalFunctionOperation localFunction) return localFunction.Symbol;
        }
        return containingMember;
    }

    // ---- ERNN0028: an existing model is copied ----

    private static void AnalyzeArgument(OperationAnalysisContext context, ModelTypes models)
    {
        var argument = (IArgumentOperation)context.Operation;
        if (argument.Parameter is not { RefKind: RefKind.None } parameter || argument.ArgumentKind == ArgumentKind.ParamArray) return;
        if (ExistingModel(argument.Value, models) is not { } source) return;
        string callee = parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
            ? $"the constructor of '{constructor.ContainingType.Name}'"
            : $"'{parameter.ContainingSymbol.Name}'";
        ReportCopy(context, source, $"when passed by value to parameter '{parameter.Name}' of {callee}",
            "take the parameter by 'ref' and pass 'ref' (or 'in' if the callee only reads it)");
    }

    private static void AnalyzeReturn(OperationAnalysisContext context, ModelTypes models)
    {
        var ret = (IReturnOperation)context.Operation;
        if (ret.ReturnedValue is not { } value || ExistingModel(value, models) is not { } source) return;
        var function = EnclosingFunction(ret, context.ContainingSymbol);
        if (function is IMethodSymbol { ReturnsByRef: true } or IMethodSymbol { ReturnsByRefReadonly: true }) return;
        // A by-value local of this function dies with it: returning it hands the one model over.
        if (source is ILocalReferenceOperation { Local: { RefKind: RefKind.None } local }
            && SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, function)) return;
        ReportCopy(context, source, "when returned by value",
            "return it by reference ('ref' return type and 'return ref'), or expose the field itself");
    }

    private static void AnalyzeAssignment(OperationAnalysisContext context, ModelTypes models)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.IsRef || assignment.Target is IDiscardOperation) return;
        if (ExistingModel(assignment.Value, models) is not { } source) return;
        ReportCopy(context, source, $"by assignment to '{assignment.Target.Syntax}'", RefLocalFix);
    }

    private static void AnalyzeDeclarator(OperationAnalysisContext context, ModelTypes models)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        if (declarator.Symbol.RefKind != RefKind.None || declarator.GetVariableInitializer() is not { Value: var value }) return;
        if (ExistingModel(value, models) is not { } source) return;
        ReportCopy(context, source, $"into local '{declarator.Symbol.Name}'", RefLocalFix);
    }

    private static void AnalyzeMemberInitializer(OperationAnalysisContext context, ModelTypes models)
    {
        var initializer = (ISymbolInitializerOperation)context.Operation;
        if (initializer is IFieldInitializerOperation fields && fields.InitializedFields.Any(f => f.RefKind != RefKind.None)) return; // '= ref model'
        if (ExistingModel(initializer.Value, models) is not { } source) return;
        ReportCopy(context, source, "by a member initializer", "start the member from 'new()' and reach the original through a 'ref'");
    }

    /// <summary>Boxing (to object or an interface) copies the struct into a new object.</summary>
    private static void AnalyzeConversion(OperationAnalysisContext context, ModelTypes models)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.Type is not { IsReferenceType: true } target || conversion.Parent is IInvocationOperation) return;
        if (ExistingModel(conversion.Operand, models) is not { } source) return;
        ReportCopy(context, source, $"when converted to '{target.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' (boxing)",
            "keep the struct type; generic code can take 'ref TModel' with 'where TModel : struct, IEdgeRnnModel'");
    }

    private const string RefLocalFix = "to use the same model, refer to it with a ref local ('ref var m = ref ...'); to start another one, use 'new()'";

    private static void ReportCopy(OperationAnalysisContext context, IOperation source, string how, string fix) =>
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ModelCopied, source.Syntax.GetLocation(),
            $"'{Shorten(source.Syntax.ToString())}'", how, fix));

    /// <summary>
    /// <paramref name="value"/> when it reads a model from a variable that lives on (so the read makes a second
    /// model); null for fresh values (new, default, a by-value method result) and non-models. A by-value parameter
    /// is already a copy, reported where it was passed; using it (storing, returning, passing it on) is not reported again.
    /// </summary>
    private static IOperation? ExistingModel(IOperation value, ModelTypes models)
    {
        while (value is IConversionOperation { Conversion.IsIdentity: true } identity) value = identity.Operand;
        if (!models.Contains(value.Type)) return null;
        return value switch
        {
            IParameterReferenceOperation { Parameter.RefKind: RefKind.None } => null,
            ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation
                or IArrayElementReferenceOperation or IInstanceReferenceOperation => value,
            IInvocationOperation { TargetMethod: var m } when m.ReturnsByRef || m.ReturnsByRefReadonly => value,
            IPropertyReferenceOperation { Property: var p } when p.ReturnsByRef || p.ReturnsByRefReadonly || IsAutoProperty(p) => value,
            _ => null,
        };
    }

    /// <summary>An auto-property reads a stored model (a hand-written getter is checked at its own return).</summary>
    private static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
            if (member is IFieldSymbol { AssociatedSymbol: { } owner } && SymbolEqualityComparer.Default.Equals(owner, property)) return true;
        return false;
    }

    private static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
