namespace EdgeRnn;

/// <summary>
/// A model whose input is a token id (an <c>embedding</c> first layer, manifest <c>"input": { "vocab": V }</c>):
/// what generic code such as <see cref="Generation.Generate{TModel}"/> needs, without boxing
/// (<c>where TModel : struct, ITokenModel</c>).
/// </summary>
public interface ITokenModel : IEdgeRnnModel
{
    /// <summary>The number of token ids the model accepts: valid ids are 0 … <c>VocabSize</c> − 1.</summary>
    static abstract int VocabSize { get; }

    /// <summary>Runs one timestep on token <paramref name="token"/>: writes <c>OutputSize</c> floats, carries the state.</summary>
    /// <param name="token">The input token id.</param>
    /// <param name="output">Exactly <c>OutputSize</c> floats.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="token"/> is negative or not less than <c>VocabSize</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="output"/> does not hold exactly <c>OutputSize</c> floats.</exception>
    void Step(int token, Span<float> output);

    /// <summary>Runs one timestep per token of <paramref name="tokens"/>, starting from and leaving the state; see the model's documentation for the output rows.</summary>
    /// <param name="tokens">The input token ids, in order.</param>
    /// <param name="outputs">The outputs: <c>[T, OutputSize]</c> row-major for a sequence model, one row for a model whose manifest says <c>"output": "last"</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A token id is negative or not less than <c>VocabSize</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="outputs"/> has the wrong length.</exception>
    void Run(ReadOnlySpan<int> tokens, Span<float> outputs);
}
