using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// BenchmarkDotNet's default orderer, with the benchmark type (the model: <c>Rnn&lt;LstmH64&gt;</c>) first in the
/// logical group key, so that one joined table has each model's ratios against its own EdgeRnn baseline
/// (there is no <c>BenchmarkLogicalGroupRule.ByType</c>), and rows sorted by model: FMA peak first, then
/// the models in <see cref="BenchConfig.AllModels"/> order.
/// </summary>
public sealed class TypeFirstOrderer : IOrderer
{
    private static readonly IOrderer Inner = DefaultOrderer.Instance;

    public bool SeparateLogicalGroups => Inner.SeparateLogicalGroups;

    public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        Inner.GetExecutionOrder(benchmarksCase, order).OrderBy(b => Rank(b.Descriptor.Type));

    public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary) =>
        Inner.GetSummaryOrder(benchmarksCases, summary).OrderBy(b => Rank(b.Descriptor.Type)); // OrderBy is stable

    public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => Inner.GetHighlightGroupKey(benchmarkCase);

    public string? GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type + "|" + Inner.GetLogicalGroupKey(allBenchmarksCases, benchmarkCase);

    public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        Inner.GetLogicalGroupOrder(logicalGroups, order).OrderBy(g => Rank(g.First().Descriptor.Type));

    private static int Rank(Type type)
    {
        if (!type.IsGenericType)
            return -1; // FmaPeak256 / FmaPeak512
        int i = Array.IndexOf(BenchConfig.AllModels, type.GetGenericArguments()[0].Name);
        return i < 0 ? int.MaxValue : i;
    }
}
