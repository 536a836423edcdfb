using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace EdgeRnn.Decoding;

/// <summary>
/// Decodes an output sequence from an encoder–decoder model (<see cref="IStepDecoder"/>): greedy, sampling and beam
/// search, with the model's stop token and a maximum length, and optionally the attention weights of every output
/// step. No allocation per decoded token: the model is a struct passed by reference and the working memory is on the
/// stack or in a workspace the caller passes.
/// </summary>
/// <remarks>
/// <para>
/// Every method decodes from the model's current decoder state: call the model's <c>Encode</c> (or <c>Start</c>)
/// first. The first step feeds <see cref="IStepDecoder.StartToken"/>. Decoding stops after the model's
/// <see cref="IStepDecoder.StopToken"/> was emitted (it is written to the output and counted) or after
/// <c>min(output.Length, T.MaxDecodeLength)</c> tokens. On return the model's decoder state is that of the last
/// hypothesis stepped, not a defined point of the result: call <c>Encode</c> again (or
/// <see cref="IStepDecoder.LoadDecoderState"/> with a saved state) before decoding again.
/// </para>
/// <para>
/// <b>Attention.</b> When <c>attention</c> is not empty it receives one row of <see cref="IStepDecoder.SourceLength"/>
/// floats per returned token (row-major <c>[tokens, SourceLength]</c>): the attention weights of the step that
/// produced that token. It must hold at least <c>min(output.Length, T.MaxDecodeLength) × SourceLength</c> floats.
/// </para>
/// <para>
/// <b>Working memory.</b> <see cref="Greedy{T}"/> and <see cref="Sample{T}"/> need 2 × <c>VocabSize</c> +
/// <c>SourceLength</c> floats: on the stack up to <see cref="MaxStackFloats"/>, above that rented from
/// <see cref="ArrayPool{T}.Shared"/> (which allocates only the first time a size is rented on a thread). Beam search
/// needs <see cref="BeamWorkspaceSize{T}"/> floats: pass them as a workspace, or let the overload without one use the
/// stack, which it does up to <see cref="MaxStackFloats"/> and otherwise refuses (so that a large beam never
/// allocates or overflows the stack behind the caller's back).
/// </para>
/// </remarks>
public static class Decoder
{
    /// <summary>The most working memory, in floats (128 KiB), that a decoding method without a workspace keeps on the stack.</summary>
    public const int MaxStackFloats = 32_768;

    /// <summary>Greedy decoding: each token is the arg-max of the logits (the lowest id among equal maxima).</summary>
    /// <typeparam name="T">The generated seq2seq model struct.</typeparam>
    /// <param name="model">The model, encoded; its decoder state advances.</param>
    /// <param name="output">Receives the tokens; its length caps the decoded length (with <c>T.MaxDecodeLength</c>).</param>
    /// <param name="attention">Empty, or receives the attention rows of the returned tokens (see the class remarks).</param>
    /// <returns>The number of tokens written: up to and including the stop token, or the maximum length.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty, or <paramref name="attention"/> is not empty and too short.</exception>
    public static int Greedy<T>(ref T model, Span<int> output, Span<float> attention = default)
        where T : struct, IStepDecoder =>
        Sample(ref model, output, SamplerOptions.Greedy, attention);

    /// <summary>
    /// Sampling: each token is drawn by <see cref="Sampler.Sample"/> (temperature, top-k, top-p) with a
    /// <see cref="Xoshiro256StarStar"/> seeded from <see cref="SamplerOptions.Seed"/>, so the same model, source and
    /// options give the same tokens on every run. Greedy options (temperature 0) give <see cref="Greedy{T}"/>'s result.
    /// </summary>
    /// <typeparam name="T">The generated seq2seq model struct.</typeparam>
    /// <param name="model">The model, encoded; its decoder state advances.</param>
    /// <param name="output">Receives the tokens; its length caps the decoded length (with <c>T.MaxDecodeLength</c>).</param>
    /// <param name="options">Temperature, top-k, top-p and seed.</param>
    /// <param name="attention">Empty, or receives the attention rows of the returned tokens (see the class remarks).</param>
    /// <returns>The number of tokens written: up to and including the stop token, or the maximum length.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty, or <paramref name="attention"/> is not empty and too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Sample<T>(ref T model, Span<int> output, in SamplerOptions options, Span<float> attention = default)
        where T : struct, IStepDecoder
    {
        int maxLength = CheckArguments<T>(output, attention, model.SourceLength);
        int vocab = T.VocabSize;
        int sourceLength = model.SourceLength;
        int needed = 2 * vocab + sourceLength;
        float[]? rented = null;
        Span<float> buffer = needed <= MaxStackFloats
            ? stackalloc float[needed]
            : (rented = ArrayPool<float>.Shared.Rent(needed));
        try
        {
            Span<float> logits = buffer[..vocab];
            Span<float> scratch = buffer.Slice(vocab, vocab);
            Span<float> discardedAttention = buffer.Slice(2 * vocab, sourceLength);
            var rng = new Xoshiro256StarStar(options.Seed);
            int token = model.StartToken;
            int stop = model.StopToken;
            for (int t = 0; t < maxLength; t++)
            {
                Span<float> row = attention.IsEmpty ? discardedAttention : attention.Slice(t * sourceLength, sourceLength);
                model.DecodeStep(token, logits, row);
                token = Sampler.Sample(logits, scratch, options, ref rng);
                output[t] = token;
                if (token == stop) return t + 1;
            }
            return maxLength;
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Beam search of width <paramref name="width"/> (semantics below), with its working memory on the stack: for
    /// <see cref="BeamWorkspaceSize{T}"/>(<paramref name="width"/>) up to <see cref="MaxStackFloats"/> floats; larger
    /// searches need the overload that takes a workspace.
    /// </summary>
    /// <inheritdoc cref="Beam{T}(ref T, int, Span{float}, Span{int}, out float, Span{float})"/>
    /// <exception cref="ArgumentException">
    /// The search needs more than <see cref="MaxStackFloats"/> floats of working memory; <paramref name="output"/> is
    /// empty; or <paramref name="attention"/> is not empty and too short.
    /// </exception>
    public static int Beam<T>(ref T model, int width, Span<int> output, out float score, Span<float> attention = default)
        where T : struct, IStepDecoder
    {
        int size = BeamWorkspaceSize<T>(width);
        if (size > MaxStackFloats) ThrowBeamTooLargeForStack(typeof(T).Name, width, size);
        Span<float> workspace = stackalloc float[size];
        return Beam(ref model, width, workspace, output, out score, attention);
    }

    /// <summary>
    /// Beam search of width <paramref name="width"/> in the caller's <paramref name="workspace"/>. The score of a
    /// hypothesis is the sum of the log-softmax of the logits of its tokens (no length penalty). Starting from one
    /// hypothesis [start], each step expands every alive hypothesis by every token and keeps the
    /// <paramref name="width"/> best expansions (score descending, then hypothesis, then token id ascending); those
    /// that end in the stop token are finished (they count toward the width), the rest stay alive. The search stops
    /// when no hypothesis is alive, after the maximum length, or when the best finished score is at least the best
    /// alive one (scores only decrease). The result is the best finished hypothesis (score descending, then shorter,
    /// then finished earlier), or the best alive one if none finished.
    /// </summary>
    /// <remarks>
    /// Each step loads every alive hypothesis's decoder state into the model (<see cref="IStepDecoder.LoadDecoderState"/>),
    /// steps it once and saves the stepped state (<see cref="IStepDecoder.CopyDecoderStateTo"/>): <paramref name="width"/>
    /// model steps per output token. Token histories are kept as back-pointers, so no step copies a history.
    /// </remarks>
    /// <typeparam name="T">The generated seq2seq model struct.</typeparam>
    /// <param name="model">The model, encoded; its decoder state is overwritten.</param>
    /// <param name="width">The beam width: 1 to <c>T.MaxBeamWidth</c> (width 1 is greedy decoding).</param>
    /// <param name="workspace">At least <see cref="BeamWorkspaceSize{T}"/>(<paramref name="width"/>) floats; overwritten.</param>
    /// <param name="output">Receives the tokens of the best hypothesis (without the start token, with the stop token if it finished); its length caps the decoded length (with <c>T.MaxDecodeLength</c>).</param>
    /// <param name="score">The best hypothesis's score: the sum of its tokens' log-probabilities.</param>
    /// <param name="attention">Empty, or receives the attention rows of the best hypothesis's tokens (see the class remarks).</param>
    /// <returns>The number of tokens written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is less than 1 or more than <c>T.MaxBeamWidth</c>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="workspace"/> is too short, <paramref name="output"/> is empty, or <paramref name="attention"/>
    /// is not empty and too short.
    /// </exception>
    public static int Beam<T>(ref T model, int width, Span<float> workspace, Span<int> output, out float score, Span<float> attention = default)
        where T : struct, IStepDecoder
    {
        int size = BeamWorkspaceSize<T>(width);
        if (workspace.Length < size) ThrowWorkspaceTooShort(typeof(T).Name, width, size, workspace.Length);
        int maxLength = CheckArguments<T>(output, attention, model.SourceLength);
        return BeamSearch.Run(ref model, width, workspace[..size], maxLength, output, out score, attention);
    }

    /// <summary>
    /// The floats of working memory a beam search of width <paramref name="width"/> needs:
    /// 2·K·D (the hypotheses' decoder states, before and after a step) + L·K·S (their attention rows) + 2·L·K
    /// (back-pointers and tokens) + 6·K (scores and the step's best expansions) + V (logits), for K the width,
    /// D = <c>T.DecoderStateSize</c>, L = <c>T.MaxDecodeLength</c>, S = <c>T.MaxSourceLength</c>, V = <c>T.VocabSize</c>.
    /// </summary>
    /// <typeparam name="T">The generated seq2seq model struct.</typeparam>
    /// <param name="width">The beam width: 1 to <c>T.MaxBeamWidth</c>.</param>
    /// <returns>The workspace length in floats.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is less than 1 or more than <c>T.MaxBeamWidth</c>.</exception>
    public static int BeamWorkspaceSize<T>(int width) where T : struct, IStepDecoder
    {
        if (width < 1 || width > T.MaxBeamWidth) ThrowWidthOutOfRange(typeof(T).Name, width, T.MaxBeamWidth);
        return BeamWorkspace.Size(width, T.DecoderStateSize, T.MaxDecodeLength, T.MaxSourceLength, T.VocabSize);
    }

    /// <summary>Checks the spans every method takes; returns the maximum length min(output.Length, T.MaxDecodeLength).</summary>
    private static int CheckArguments<T>(Span<int> output, Span<float> attention, int sourceLength) where T : struct, IStepDecoder
    {
        if (output.IsEmpty) ThrowEmptyOutput();
        if ((uint)sourceLength > (uint)T.MaxSourceLength) ThrowBadSourceLength(typeof(T).Name, sourceLength, T.MaxSourceLength);
        int maxLength = Math.Min(output.Length, T.MaxDecodeLength);
        if (!attention.IsEmpty && attention.Length < (long)maxLength * sourceLength)
            ThrowAttentionTooShort(maxLength, sourceLength, attention.Length);
        return maxLength;
    }

    [DoesNotReturn]
    private static void ThrowEmptyOutput() =>
        throw new ArgumentException("output must hold at least one token: its length is the most tokens decoded.", "output");

    [DoesNotReturn]
    private static void ThrowAttentionTooShort(int maxLength, int sourceLength, int actual) =>
        throw new ArgumentException(
            $"attention must be empty or hold a row of SourceLength ({sourceLength}) floats for each of up to {maxLength} tokens ({maxLength * (long)sourceLength} floats) but has {actual}.",
            "attention");

    [DoesNotReturn]
    private static void ThrowBadSourceLength(string type, int sourceLength, int max) =>
        throw new InvalidOperationException($"{type}.SourceLength is {sourceLength}, outside 0 … MaxSourceLength ({max}).");

    [DoesNotReturn]
    private static void ThrowWidthOutOfRange(string type, int width, int max) =>
        throw new ArgumentOutOfRangeException(nameof(width), width,
            $"the beam width must be from 1 to {type}.MaxBeamWidth ({max}, the manifest's decoder.max_beam) but is {width}.");

    [DoesNotReturn]
    private static void ThrowWorkspaceTooShort(string type, int width, int size, int actual) =>
        throw new ArgumentException(
            $"workspace must hold at least Decoder.BeamWorkspaceSize<{type}>({width}) = {size} floats but has {actual}.", "workspace");

    [DoesNotReturn]
    private static void ThrowBeamTooLargeForStack(string type, int width, int size) =>
        throw new ArgumentException(
            $"a beam of width {width} over {type} needs {size} floats of working memory, more than the {MaxStackFloats} kept on the stack: " +
            $"pass a workspace of Decoder.BeamWorkspaceSize<{type}>({width}) floats.", nameof(width));
}
