using System.Collections.Immutable;
using System.Reflection;
using EdgeRnn.Generators.Analyzers;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The struct trap analyzer (ERNN0028 copies, ERNN0029 state that cannot advance) on code that uses generated models:
/// Amp (LSTM, streaming), Lm (token LSTM, has Generate), Tagger (bidirectional: Run only, keeps the last Run's h_n)
/// and Translator (encoder–decoder: the encoded source and the decoder state).
/// Each case lists every diagnostic it expects, in source order, by id and the exact text it points at.
/// </summary>
public class ModelCopyAnalyzerTests
{
    private const string UserFile = "Use.cs";

    private static readonly Lazy<Compilation> s_models = new(GenerateModels);

    private static Compilation GenerateModels()
    {
        var project = new TestProject();
        foreach (var model in new[] { "lstm_i3_h5", "token_lstm_lm", "bilstm_i3_h5" })
        {
            project.AddModel($"Models/{model}.edgernn.json", Repo.Manifest(model))
                .AddWeights($"Models/{Repo.WeightsName(model)}", Repo.Weights(model));
        }
        const string Seq2Seq = "bahdanau_gru";
        project.AddModel($"Models/{Seq2Seq}.edgernn.json", Seq2SeqDiagnosticsTests.Manifest(Seq2Seq))
            .AddWeights($"Models/{Seq2Seq}.safetensors", File.ReadAllBytes(Path.Combine(Repo.Root, "tests", "EdgeRnn.Tests", "Seq2Seq", Seq2Seq + ".safetensors")));
        project.AddSource("""
            namespace TestModels;
            [global::EdgeRnn.EdgeRnnModel("Models/lstm_i3_h5.edgernn.json")] public partial struct Amp;
            [global::EdgeRnn.EdgeRnnModel("Models/token_lstm_lm.edgernn.json")] public partial struct Lm;
            [global::EdgeRnn.EdgeRnnModel("Models/bilstm_i3_h5.edgernn.json")] public partial struct Tagger;
            [global::EdgeRnn.EdgeRnnModel("Models/bahdanau_gru.edgernn.json")] public partial struct Translator;
            """);
        var run = project.Run();
        run.AssertNoGeneratorFailure();
        Assert.Equal(4, run.GeneratedSources.Length);
        return run.Output;
    }

    private const string Prelude = """
        using System;
        using System.Collections.Generic;
        using EdgeRnn;
        using TestModels;
        #pragma warning disable CS0169, CS0649, CS8618, CS8321, CS0219, CS0414

        class Holder
        {
            public Amp Model;
            public Amp[] Many = new Amp[2];
            public Amp Auto { get; set; }
            public List<Amp> List = new();
        }

        struct StructHolder { public Amp Model; }

        """;

    /// <summary>Compiles <paramref name="code"/> (after the prelude) with the models and returns the analyzer's diagnostics.</summary>
    private static (ImmutableArray<Diagnostic> Diagnostics, SyntaxTree Tree) Analyze(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(Prelude + code, TestProject.ParseOptions, TestProject.FullPath(UserFile));
        var compilation = s_models.Value.AddSyntaxTrees(tree);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "the test code does not compile:\n" + GeneratorRun.Describe(errors));
        var diagnostics = compilation.WithAnalyzers([new ModelCopyAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return (diagnostics, tree);
    }

    /// <summary>Asserts exactly the expected (id, located text) pairs, in source order.</summary>
    private static ImmutableArray<Diagnostic> AssertDiagnostics(string code, params (string Id, string At)[] expected)
    {
        var (diagnostics, tree) = Analyze(code);
        Assert.All(diagnostics, d => Assert.Same(tree, d.Location.SourceTree));
        var ordered = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        var actual = ordered.Select(d => (d.Id, tree.GetText().ToString(d.Location.SourceSpan))).ToArray();
        Assert.True(expected.SequenceEqual(actual),
            $"expected:\n{string.Join("\n", expected)}\nactual:\n{GeneratorRun.Describe(ordered)}");
        return ordered;
    }

    // ---- what the docs recommend: no diagnostics ----

    [Fact]
    public void Fresh_models_ref_locals_ref_parameters_and_ref_returns_are_not_copies()
    {
        AssertDiagnostics("""
            static class Use
            {
                static float[] x = new float[Amp.InputSize], y = new float[Amp.OutputSize];

                static void Fresh()
                {
                    var m = new Amp();
                    m.Step(x, y);
                    Amp d = default;
                    d.Reset();
                    m = new Amp();
                    new Amp().Step(x, y);
                }

                static void ThroughRefs(Holder h)
                {
                    h.Model.Step(x, y);
                    ref var m = ref h.Model;
                    m.Step(x, y);
                    Advance(ref m);
                    Advance(ref h.Model);
                    Pick(h).Step(x, y);
                    ref Amp again = ref Pick(h);
                    again.Reset();
                }

                static void Advance(ref Amp model) => model.Step(x, y);
                static void AdvanceAny<TModel>(ref TModel model) where TModel : struct, IEdgeRnnModel => model.Reset();
                static ref Amp Pick(Holder h) => ref h.Model;
                static void Generic(Holder h) => AdvanceAny(ref h.Model);
            }
            """);
    }

    [Fact]
    public void Array_and_span_elements_are_the_models_themselves()
    {
        AssertDiagnostics("""
            static class Use
            {
                static void Elements(Amp[] models, Span<Amp> span, Holder h, float[] x, float[] y)
                {
                    models[0].Step(x, y);
                    span[1].Step(x, y);
                    h.Many[1].Reset();
                    foreach (ref var m in span) m.Reset();
                    foreach (ref var m in models.AsSpan()) m.Step(x, y);
                    for (int i = 0; i < models.Length; i++) models[i].Reset();
                }
            }
            """);
    }

    [Fact]
    public void Readonly_members_may_be_called_on_readonly_references()
    {
        AssertDiagnostics("""
            static class Use
            {
                static void Read(in Amp model, Span<float> state) => model.CopyStateTo(state);
                static void Caller(Holder h, Span<float> state)
                {
                    Read(in h.Model, state);
                    Read(h.Model, state);
                    ref readonly var r = ref h.Model;
                    r.CopyStateTo(state);
                    h.Auto.CopyStateTo(state);
                }
            }
            """);
    }

    [Fact]
    public void A_model_field_of_a_mutable_struct_advances_from_its_non_readonly_members()
    {
        AssertDiagnostics("""
            struct Voice
            {
                Amp _model;
                public void Process(float[] x, float[] y) => _model.Step(x, y);
                public void Reset() { _model.Reset(); }
            }
            """);
    }

    [Fact]
    public void A_readonly_ref_field_of_a_ref_struct_refers_to_a_writable_model()
    {
        AssertDiagnostics("""
            readonly ref struct Lease(ref Amp model)
            {
                private readonly ref Amp _model = ref model;
                public void Step(float[] x, float[] y) => _model.Step(x, y);
            }

            ref struct ReadOnlyLease(ref Amp model)
            {
                private ref readonly Amp _model = ref model;
                public void Reset() => _model.Reset();
            }
            """,
            ("ERNN0029", "_model"));
    }

    [Fact]
    public void Returning_a_local_hands_the_model_over_and_lambdas_capture_the_variable_itself()
    {
        AssertDiagnostics("""
            static class Use
            {
                static Amp Warm(float[] x, float[] y)
                {
                    var m = new Amp();
                    m.Step(x, y);
                    return m;
                }

                static Amp Pass(Amp model) => model;

                static void Capture(float[] x, float[] y)
                {
                    var m = Warm(x, y);
                    Action step = () => m.Step(x, y);
                    step();
                    m.Reset();
                }
            }
            """);
    }

    [Fact]
    public void Other_structs_are_not_checked()
    {
        AssertDiagnostics("""
            struct NotAModel { public void Step() { } }

            class Use
            {
                readonly NotAModel _other;
                NotAModel _copy;

                void Run()
                {
                    _other.Step();
                    _copy = _other;
                    var again = _copy;
                }
            }
            """);
    }

    [Fact]
    public void A_bidirectional_model_keeps_the_h_n_of_its_last_Run_so_copies_lose_it()
    {
        AssertDiagnostics("""
            class Use
            {
                readonly Tagger _tagger;
                Tagger _copy;

                void Run(float[] x, float[] y, float[] hN, in Tagger t)
                {
                    _tagger.Run(x, y);
                    _tagger.CopyFinalState(hN);
                    _copy = _tagger;
                    var again = _copy;
                    t.Run(x, y);
                    Take(_copy);
                }

                static void Take(Tagger t) { }
            }
            """,
            ("ERNN0029", "_tagger"), ("ERNN0029", "_tagger"), ("ERNN0028", "_tagger"), ("ERNN0028", "_copy"), ("ERNN0029", "t"), ("ERNN0028", "_copy"));
    }

    [Fact]
    public void An_encoder_decoder_model_is_checked_like_any_stateful_model()
    {
        AssertDiagnostics("""
            class Use
            {
                readonly Translator _readOnly;
                Translator _model;

                void Decode(int[] source, float[] logits, float[] attention)
                {
                    _model.Encode(source);
                    var copy = _model;
                    copy.DecodeStep(_model.StartToken, logits, attention);
                    _readOnly.DecodeStep(1, logits, attention);
                    ref var same = ref _model;
                    same.DecodeStep(1, logits, attention);
                }
            }
            """,
            ("ERNN0029", "_readOnly"), ("ERNN0028", "_model"), ("ERNN0029", "_readOnly"));
    }

    [Fact]
    public void Generated_code_is_not_analyzed()
    {
        // The token model's Generate passes 'ref this'; only user code is analyzed.
        var (diagnostics, _) = Analyze("class Empty { }");
        Assert.Empty(diagnostics);
    }

    // ---- ERNN0028: copies of an existing model ----

    [Fact]
    public void ERNN0028_copy_into_a_local_or_by_assignment()
    {
        var diagnostics = AssertDiagnostics("""
            static class Use
            {
                static void Copies(Holder h, Amp[] models, Span<Amp> span, ref Amp byRef)
                {
                    var a = new Amp();
                    var b = a;
                    Amp c;
                    c = h.Model;
                    h.Model = a;
                    var d = models[0];
                    var e = span[0];
                    var f = byRef;
                    var g = h.Auto;
                    h.Auto = b;
                    var i = Pick(h);
                    _ = a;
                }

                static ref Amp Pick(Holder h) => ref h.Model;
            }
            """,
            ("ERNN0028", "a"), ("ERNN0028", "h.Model"), ("ERNN0028", "a"), ("ERNN0028", "models[0]"), ("ERNN0028", "span[0]"),
            ("ERNN0028", "byRef"), ("ERNN0028", "h.Auto"), ("ERNN0028", "b"), ("ERNN0028", "Pick(h)"));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostics[0].Severity);
        Assert.Equal(
            "The model 'a' is copied into local 'b': the copy and the original each carry their own state, and stepping one does not advance the other; " +
            "to use the same model, refer to it with a ref local ('ref var m = ref ...'); to start another one, use 'new()'",
            diagnostics[0].GetMessage());
        Assert.StartsWith("The model 'h.Model' is copied by assignment to 'c':", diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0028_passed_by_value()
    {
        var diagnostics = AssertDiagnostics("""
            class Worker(Amp model) { Amp _model = model; }

            static class Use
            {
                static void Take(Amp model) { }
                static void TakeAny<T>(T value) { }
                static void TakeMany(params Amp[] models) { }

                static void Calls(Holder h)
                {
                    var m = new Amp();
                    Take(m);
                    Take(h.Model);
                    TakeAny(h.Many[0]);
                    new Worker(m);
                    Take(new Amp());
                    TakeMany(new Amp());
                }
            }
            """,
            ("ERNN0028", "m"), ("ERNN0028", "h.Model"), ("ERNN0028", "h.Many[0]"), ("ERNN0028", "m"));
        Assert.StartsWith("The model 'm' is copied when passed by value to parameter 'model' of 'Take':", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.EndsWith("take the parameter by 'ref' and pass 'ref' (or 'in' if the callee only reads it)", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("parameter 'value' of 'TakeAny'", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("parameter 'model' of the constructor of 'Worker'", diagnostics[3].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0028_returned_by_value_from_storage_that_lives_on()
    {
        var diagnostics = AssertDiagnostics("""
            class Player
            {
                Amp _model;
                static Amp s_shared;
                public Amp Model => _model;
                public Amp Shared { get { return s_shared; } }
                public Amp Get(ref Amp other) => other;
                public Func<Amp> Getter() => () => _model;
                public IEnumerable<Amp> Both() { yield return _model; }
                public ref Amp ModelRef => ref _model;
            }
            """,
            ("ERNN0028", "_model"), ("ERNN0028", "s_shared"), ("ERNN0028", "other"), ("ERNN0028", "_model"), ("ERNN0028", "_model"));
        Assert.StartsWith("The model '_model' is copied when returned by value:", diagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0028_boxing_and_member_initializers()
    {
        AssertDiagnostics("""
            class Use
            {
                static Amp s_template;
                Amp _copy = s_template;
                Amp _fresh = new();
                IEdgeRnnModel _boxedFresh = new Amp();

                void Box(Holder h)
                {
                    IEdgeRnnModel boxed = h.Model;
                    object o = h.Many[0];
                }
            }
            """,
            ("ERNN0028", "s_template"), ("ERNN0028", "h.Model"), ("ERNN0028", "h.Many[0]"));
    }

    // ---- ERNN0029: state that cannot advance ----

    [Fact]
    public void ERNN0029_readonly_fields_and_calls_on_them()
    {
        var diagnostics = AssertDiagnostics("""
            class Player
            {
                readonly Amp _model;
                static readonly Amp s_model;

                Player(float[] x, float[] y)
                {
                    _model.Step(x, y);
                    Action later = () => _model.Reset();
                }

                static Player() { s_model.Reset(); }

                void Process(float[] x, float[] y, Span<float> state)
                {
                    _model.Step(x, y);
                    _model.CopyStateTo(state);
                    s_model.Run(x, y);
                }
            }
            """,
            ("ERNN0029", "_model"), ("ERNN0029", "s_model"), ("ERNN0029", "_model"), ("ERNN0029", "_model"), ("ERNN0029", "s_model"));
        Assert.Equal(DiagnosticSeverity.Error, diagnostics[0].Severity);
        Assert.Equal(
            "The readonly field 'Player._model' cannot advance the model's state: outside a constructor, every call of a state-changing member (Step, Run, Reset, LoadState, Generate; Encode, DecodeStep, LoadDecoderState) " +
            "on it runs on a copy that is then thrown away; remove 'readonly'",
            diagnostics[0].GetMessage());
        Assert.Equal(
            "'Reset' cannot advance the model's state: it is called on a copy of readonly field 'Player._model', and the copy is thrown away after the call; " +
            "remove 'readonly' from the field",
            diagnostics[2].GetMessage());
        Assert.StartsWith("'Step' cannot advance", diagnostics[3].GetMessage(), StringComparison.Ordinal);
        Assert.StartsWith("'Run' cannot advance", diagnostics[4].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0029_in_parameters_ref_readonly_locals_and_foreach_copies()
    {
        var diagnostics = AssertDiagnostics("""
            static class Use
            {
                static void ByIn(in Amp model, float[] x, float[] y) => model.Step(x, y);
                static void ByRefReadonly(ref readonly Amp model) => model.Reset();
                static void ByInHolder(in StructHolder holder) => holder.Model.Reset();
                static void Locals(Holder h, Amp[] models, ReadOnlySpan<Amp> view)
                {
                    ref readonly var r = ref h.Model;
                    r.Reset();
                    foreach (var m in models) m.Reset();
                    foreach (ref readonly var m in view) m.Reset();
                    view[0].Reset();
                }
            }
            """,
            ("ERNN0029", "model"), ("ERNN0029", "model"), ("ERNN0029", "holder.Model"), ("ERNN0029", "r"), ("ERNN0029", "m"),
            ("ERNN0029", "m"), ("ERNN0029", "view[0]"));
        Assert.Contains("a copy of 'in' parameter 'model'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.EndsWith("take the parameter by 'ref' instead of 'in'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of 'ref readonly' parameter 'model'", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of 'in' parameter 'holder'", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of 'ref readonly' local 'r'", diagnostics[3].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of foreach variable 'm'", diagnostics[4].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("the 'ref readonly' returned by the indexer of 'ReadOnlySpan'", diagnostics[6].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0029_readonly_members_of_a_struct_holding_a_model()
    {
        var diagnostics = AssertDiagnostics("""
            struct Voice
            {
                Amp _model;
                public readonly void Process(float[] x, float[] y) => _model.Step(x, y);
                public readonly void Describe(Span<float> state) => _model.CopyStateTo(state);
            }

            namespace TestModels
            {
                public partial struct Amp
                {
                    public readonly void Peek(float[] x, float[] y) => Step(x, y);
                }
            }
            """,
            ("ERNN0029", "_model"), ("ERNN0029", "Step"));
        Assert.Contains("a copy of 'this' in readonly member 'Process'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of 'this' in readonly member 'Peek'", diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0029_calls_on_returned_values()
    {
        var diagnostics = AssertDiagnostics("""
            static class Use
            {
                static Amp Make() => new Amp();

                static void Temporaries(Holder h, float[] x, float[] y, IReadOnlyList<Amp> list)
                {
                    h.Auto.Step(x, y);
                    h.List[0].Reset();
                    list[1].Reset();
                    Make().Reset();
                    ((Amp)(object)h.Many[0]).Reset();
                    (x.Length > 0 ? h.Model : h.Many[0]).Reset();
                }
            }
            """,
            ("ERNN0029", "h.Auto"), ("ERNN0029", "h.List[0]"), ("ERNN0029", "list[1]"), ("ERNN0029", "Make()"),
            ("ERNN0029", "(Amp)(object)h.Many[0]"), ("ERNN0028", "h.Many[0]"), ("ERNN0029", "x.Length > 0 ? h.Model : h.Many[0]"));
        Assert.Contains("a copy of the value returned by property 'Auto'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of the value returned by the indexer of 'List'", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of the value returned by 'Make'", diagnostics[3].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of the converted value", diagnostics[4].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("is copied when converted to 'object' (boxing)", diagnostics[5].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("a copy of the conditional expression's value", diagnostics[6].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0029_Generate_and_every_non_readonly_member_count_as_state_changes()
    {
        AssertDiagnostics("""
            static class Use
            {
                static void Sample(in Lm model, in Amp amp, float[] x, float[] y, Span<float> state)
                {
                    var options = new SamplerOptions();
                    model.Generate([1, 2], new int[4], in options);
                    model.Step(3, y);
                    amp.LoadState(state);
                    amp.Run(x, y);
                    amp.CopyStateTo(state);
                }
            }
            """,
            ("ERNN0029", "model"), ("ERNN0029", "model"), ("ERNN0029", "amp"), ("ERNN0029", "amp"));
    }

    // ---- the docs pages' examples ----

    public static TheoryData<string> Pages => ["ERNN0028", "ERNN0029"];

    /// <summary>Each page's "Example" reports its id on exactly the lines marked <c>// ERNNxxxx</c>; its "How to fix" reports nothing.</summary>
    [Theory]
    [MemberData(nameof(Pages))]
    public void The_docs_page_examples_report_what_they_say(string id)
    {
        string page = File.ReadAllText(Path.Combine(Repo.DiagnosticsDocsDirectory, id + ".md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string example = CSharpBlockAfter(page, "## Example\n");
        string fixedCode = CSharpBlockAfter(page, "## How to fix\n");

        var (diagnostics, tree) = Analyze(example);
        var marked = tree.GetText().Lines.Where(l => l.ToString().Contains("// " + id, StringComparison.Ordinal)).Select(l => l.LineNumber);
        Assert.NotEmpty(marked);
        Assert.Equal(marked, diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line).Order());
        Assert.All(diagnostics, d => Assert.Equal(id, d.Id));

        Assert.Empty(Analyze(fixedCode).Diagnostics);
    }

    /// <summary>The first C# block after <paramref name="heading"/>, without the model declaration (the tests' Amp is generated).</summary>
    private static string CSharpBlockAfter(string page, string heading)
    {
        int start = page.IndexOf("```csharp\n", page.IndexOf(heading, StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp\n".Length;
        string block = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];
        return string.Join("\n", block.Split('\n').Where(l => !l.StartsWith("[EdgeRnnModel(", StringComparison.Ordinal) && l != "public partial struct Amp;"));
    }

    // ---- robustness ----

    [Fact]
    public async Task Code_that_does_not_compile_does_not_make_the_analyzer_throw()
    {
        var tree = CSharpSyntaxTree.ParseText(Prelude + """
            class Broken
            {
                readonly Amp _model;
                Amp Missing => _model.Nope;
                void F(in Amp m, Undefined u)
                {
                    var a = u.Model;
                    Take(a, m);
                    m.Step(;
                    _model = m;
                    return _model;
                    Amp b = (Amp)u;
                    b.Reset(1, 2, 3);
                    foreach (var x in u) x.Step();
                }
            }
            """, TestProject.ParseOptions, TestProject.FullPath(UserFile));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), (e, _, _) => exceptions.Add(e),
            concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = await s_models.Value.AddSyntaxTrees(tree).WithAnalyzers([new ModelCopyAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        Assert.Contains(diagnostics, d => d.Id == "ERNN0029");
    }

    // ---- shipping ----

    [Fact]
    public void The_generator_assembly_provides_the_analyzer_the_compiler_loads_from_the_package()
    {
        string path = typeof(ModelGenerator).Assembly.Location;
        var reference = new AnalyzerFileReference(path, new LoadedAssemblies());
        Assert.Contains(reference.GetAnalyzers(LanguageNames.CSharp), a => a is ModelCopyAnalyzer);
        Assert.Contains(reference.GetGenerators(LanguageNames.CSharp), g => g.GetGeneratorType() == typeof(ModelGenerator));
        var ids = reference.GetAnalyzers(LanguageNames.CSharp).SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id);
        Assert.Equal(["ERNN0028", "ERNN0029"], ids.Order(StringComparer.Ordinal));
    }

    /// <summary>Hands the compiler's loader the assemblies this process has already loaded.</summary>
    private sealed class LoadedAssemblies : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
