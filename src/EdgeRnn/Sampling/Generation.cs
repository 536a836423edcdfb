using System.Runtime.CompilerServices;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn;

/// <summary>One-to-many generation: a token model produces a sequence one token at a time, each fed back as the next input.</summary>
public static class Generation
{
    /// <summary>
    /// The largest <c>OutputSize</c> for which <see cref="Generate{TModel}"/> keeps its two working vectors on the
    /// stack (2 × 16,384 floats = 128 KiB). Larger vocabularies rent them from <see cref="ArrayPool{T}.Shared"/>,
    /// which allocates only the first time a size is rented on a thread.
    /// </summary>
    public const int MaxStackVocabulary = 16_384;

    /// <summary>
    /// Feeds <paramref name="prompt"/> through the model, then writes <c>output.Length</c> generated tokens into
    /// <paramref name="output"/>: each is chosen by <see cref="Sampler.Sample"/> from the model's output after the
    /// previous token and then fed back as the next input.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The model's outputs are taken to be <b>logits</b> over its vocabulary (unnormalized log-probabilities, as an
    /// <c>nn.Linear</c> head gives them); a <c>log_softmax</c> output layer gives the same distribution. A model
    /// ending in <c>softmax</c> outputs probabilities, not logits, and would be sampled wrongly: leave the softmax out
    /// of a model meant for generation. <c>OutputSize</c> must equal <c>VocabSize</c>.
    /// </para>
    /// <para>
    /// Generation starts from the model's current state (call <c>Reset()</c> first for a fresh text). On return the
    /// state has consumed the prompt and every generated token, so a later call, or <c>Step</c>, continues the text.
    /// The random generator is a <see cref="Xoshiro256StarStar"/> seeded with <see cref="SamplerOptions.Seed"/>, so
    /// the same model state, prompt and options give the same tokens on every run. Its sequence is the same on every
    /// platform; the model's outputs can differ in their last bits between SIMD paths (another CPU), which on rare
    /// occasions changes a draw.
    /// </para>
    /// <para>Allocation-free (for <c>OutputSize</c> up to <see cref="MaxStackVocabulary"/>): the model is a struct
    /// passed by reference and the working vectors are on the stack.</para>
    /// </remarks>
    /// <typeparam name="TModel">The generated model struct.</typeparam>
    /// <param name="model">The model; its state advances.</param>
    /// <param name="prompt">At least one token id: the model's state must be primed before it can predict.</param>
    /// <param name="output">Receives the generated token ids; its length is the number of tokens generated.</param>
    /// <param name="options">Temperature, top-k, top-p and seed.</param>
    /// <returns>The number of tokens written: <c>output.Length</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="prompt"/> is empty, or the model's <c>OutputSize</c> is not its <c>VocabSize</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A prompt token id is out of range (thrown by the model's <c>Step</c>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Generate<TModel>(ref TModel model, ReadOnlySpan<int> prompt, Span<int> output, in SamplerOptions options)
        where TModel : struct, ITokenModel
    {
        if (prompt.IsEmpty) ThrowEmptyPrompt();
        if (TModel.OutputSize != TModel.VocabSize) ThrowNotLanguageModel(typeof(TModel).Name, TModel.OutputSize, TModel.VocabSize);

        int n = TModel.OutputSize;
        float[]? rented = null;
        Span<float> buffer = n <= MaxStackVocabulary
            ? stackalloc float[2 * n]
            : (rented = ArrayPool<float>.Shared.Rent(2 * n));
        try
        {
            Span<float> logits = buffer[..n];
            Span<float> scratch = buffer.Slice(n, n);
            var rng = new Xoshiro256StarStar(options.Seed);

            foreach (int token in prompt) model.Step(token, logits);
            for (int i = 0; i < output.Length; i++)
            {
                int next = Sampler.Sample(logits, scratch, options, ref rng);
                output[i] = next;
                model.Step(next, logits);
            }
            return output.Length;
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    [DoesNotReturn]
    private static void ThrowEmptyPrompt() =>
        throw new ArgumentException("prompt must hold at least one token: the model's state is primed by the prompt before the first prediction.", "prompt");

    [DoesNotReturn]
    private static void ThrowNotLanguageModel(string type, int outputSize, int vocabSize) =>
        throw new ArgumentException($"{type} cannot generate: its OutputSize ({outputSize}) is not its VocabSize ({vocabSize}), so its outputs are not logits over its tokens.", "model");
}
