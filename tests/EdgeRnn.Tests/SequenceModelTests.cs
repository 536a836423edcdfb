using EdgeRnn;

namespace EdgeRnn.Tests.Models
{
    // Bidirectional models: Run over whole sequences only (tools/make_reference_sequence_models.py writes the files).
    [EdgeRnnModel("Models/bilstm_i3_h5.edgernn.json")] public partial struct BilstmI3H5;
    [EdgeRnnModel("Models/bilstm_2layer_i4_h7_head.edgernn.json")] public partial struct Bilstm2layerI4H7Head;
    [EdgeRnnModel("Models/bigru_i5_h6.edgernn.json")] public partial struct BigruI5H6;
    [EdgeRnnModel("Models/bigru_2layer_i3_h9.edgernn.json")] public partial struct Bigru2layerI3H9;
    [EdgeRnnModel("Models/birnn_tanh_i4_h5.edgernn.json")] public partial struct BirnnTanhI4H5;
    [EdgeRnnModel("Models/birnn_2layer_relu_i3_h7.edgernn.json")] public partial struct Birnn2layerReluI3H7;
    // "output": "h_n": the head reads the last layer's [h_fwd; h_bwd] (PyTorch's h_n), Run writes one row.
    [EdgeRnnModel("Models/bigru_2layer_classifier_h_n.edgernn.json")] public partial struct Bigru2layerClassifierHN;

    internal static class SequenceModels
    {
        public static readonly IReadOnlyDictionary<string, Action> Checks = new Dictionary<string, Action>
        {
            ["bilstm_i3_h5"] = () => Tests.SequenceModelTests.Check<BilstmI3H5>("bilstm_i3_h5"),
            ["bilstm_2layer_i4_h7_head"] = () => Tests.SequenceModelTests.Check<Bilstm2layerI4H7Head>("bilstm_2layer_i4_h7_head"),
            ["bigru_i5_h6"] = () => Tests.SequenceModelTests.Check<BigruI5H6>("bigru_i5_h6"),
            ["bigru_2layer_i3_h9"] = () => Tests.SequenceModelTests.Check<Bigru2layerI3H9>("bigru_2layer_i3_h9"),
            ["birnn_tanh_i4_h5"] = () => Tests.SequenceModelTests.Check<BirnnTanhI4H5>("birnn_tanh_i4_h5"),
            ["birnn_2layer_relu_i3_h7"] = () => Tests.SequenceModelTests.Check<Birnn2layerReluI3H7>("birnn_2layer_relu_i3_h7"),
            ["bigru_2layer_classifier_h_n"] = () => Tests.SequenceModelTests.Check<Bigru2layerClassifierHN>("bigru_2layer_classifier_h_n"),
        };
    }
}

namespace EdgeRnn.Tests
{
    using EdgeRnn.Tests.Models;

    /// <summary>Bidirectional models against PyTorch: whole-sequence Run, repeatable, allocation-free, with or without a caller's workspace.</summary>
    public class SequenceModelTests
    {
        public static TheoryData<string> Cases => [.. SequenceModels.Checks.Keys.Order()];

        [Theory, MemberData(nameof(Cases))]
        public void Run_matches_PyTorch_over_the_whole_sequence(string name) => SequenceModels.Checks[name]();

        /// <summary>A stateful model's h_n is the h of each layer's state after Run (lstm_2layer_i4_h6: per layer h, then c, of 6).</summary>
        [Fact]
        public void CopyFinalState_of_a_stateful_model_is_each_layers_h_after_Run()
        {
            var data = ReferenceData.Load("lstm_2layer_i4_h6");
            var model = new Lstm2layerI4H6();
            model.Run(data.Inputs, new float[data.Steps * Lstm2layerI4H6.OutputSize]);
            var finalHidden = new float[Lstm2layerI4H6.FinalStateSize];
            model.CopyFinalState(finalHidden);
            Assert.Equal(12, finalHidden.Length);
            Close.Assert(data.FinalState.AsSpan(0, 6), finalHidden.AsSpan(0, 6), ReferenceTests.Tolerance, "h_n layer 0");
            Close.Assert(data.FinalState.AsSpan(12, 6), finalHidden.AsSpan(6, 6), ReferenceTests.Tolerance, "h_n layer 1");
        }

        internal static void Check<TModel>(string name) where TModel : struct, ISequenceModel
        {
            var data = ReferenceData.Load(name);
            Assert.Equal(data.InputSize, TModel.InputSize);
            Assert.Equal(data.OutputSize, TModel.OutputSize);
            var model = new TModel();
            var outputs = new float[data.RunOutputLength(data.Steps)];
            model.Run(data.Inputs, outputs);
            Close.Assert(data.OutputLast ? data.Outputs.AsSpan(data.Outputs.Length - TModel.OutputSize) : data.Outputs, outputs,
                ReferenceTests.Tolerance, "bidirectional Run outputs");

            // The final hidden state as PyTorch's h_n: forward after the last step, backward after the first.
            Assert.NotNull(data.FinalHidden);
            Assert.Equal(data.FinalHidden.Length, TModel.FinalStateSize);
            var finalHidden = new float[TModel.FinalStateSize];
            model.CopyFinalState(finalHidden);
            Close.Assert(data.FinalHidden, finalHidden, ReferenceTests.Tolerance, "h_n after Run");

            // Nothing is carried between calls: the same sequence gives the same outputs.
            var again = new float[outputs.Length];
            model.Run(data.Inputs, again);
            Assert.Equal(outputs, again);

            // A shorter sequence is a different sequence: its backward pass starts at its own end.
            int half = data.Steps / 2;
            var prefix = new float[data.RunOutputLength(half)];
            model.Run(data.Inputs.AsSpan(0, half * TModel.InputSize), prefix);
            Assert.True(half == 0 || !prefix.AsSpan().SequenceEqual(outputs.AsSpan(0, prefix.Length)), "the backward direction must see only the given sequence");

            // Allocation-free once warm, on the stack, the pool or a caller's workspace; the least over a few windows
            // counts (see EdgeRnn.Tests.Allocations: the runtime's one-time work is not the model's).
            for (int i = 0; i < 50; i++) model.Run(data.Inputs, outputs);
            long least = long.MaxValue;
            for (int window = 0; window < EdgeRnn.Tests.Allocations.Windows && least != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++) model.Run(data.Inputs, outputs);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, least);
            var long_ = new float[40 * data.Inputs.Length];
            var longOut = new float[data.RunOutputLength(40 * data.Steps)];
            for (int i = 0; i < 40; i++) data.Inputs.CopyTo(long_, i * data.Inputs.Length);
            model.Run(long_, longOut);
            least = long.MaxValue;
            for (int window = 0; window < EdgeRnn.Tests.Allocations.Windows && least != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                model.Run(long_, longOut);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, least);
            var workspace = new float[TModel_WorkspaceSize<TModel>(data.Steps)];
            var viaWorkspace = new float[outputs.Length];
            RunWithWorkspace(ref model, data.Inputs, viaWorkspace, workspace);
            Assert.Equal(outputs, viaWorkspace);
        }

        // The workspace members are not on the interface; reach them through the concrete types used here.
        private static int TModel_WorkspaceSize<TModel>(int steps) => typeof(TModel).GetMethod("WorkspaceSize")!.Invoke(null, [steps]) is int n ? n : -1;

        private static void RunWithWorkspace<TModel>(ref TModel model, float[] inputs, float[] outputs, float[] workspace) where TModel : struct
        {
            var run = typeof(TModel).GetMethods().Single(m => m.Name == "Run" && m.GetParameters().Length == 3);
            // Span arguments cannot go through reflection; copy through a delegate over the concrete signature.
            var call = (SequenceRun<TModel>)Delegate.CreateDelegate(typeof(SequenceRun<TModel>), run);
            call(ref model, inputs, outputs, workspace);
        }

        private delegate void SequenceRun<TModel>(ref TModel model, ReadOnlySpan<float> inputs, Span<float> outputs, Span<float> workspace);

        [Fact]
        public void Workspace_too_small_is_rejected_with_sizes()
        {
            var model = new BilstmI3H5();
            var e = Assert.Throws<ArgumentException>(() => model.Run(new float[30], new float[100], new float[3]));
            Assert.Equal("workspace", e.ParamName);
            Assert.Contains(BilstmI3H5.WorkspaceSize(10).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }
    }
}
