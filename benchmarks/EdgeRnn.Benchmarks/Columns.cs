using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EdgeRnn.Benchmarks;

/// <summary>GFLOP/s from the median time per operation and the benchmark type's static <c>FlopsPerOperation</c>.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Model flops per operation (LSTM 8·H·(I+H), GRU 6·H·(I+H), dense head 2·H; FMA peak 160 per iteration) / median time";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? g = Gflops(summary, benchmarkCase);
        return g is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
    }

    public static double? FlopsPerOperation(BenchmarkCase benchmarkCase)
    {
        var p = benchmarkCase.Descriptor.Type.GetProperty("FlopsPerOperation", BindingFlags.Public | BindingFlags.Static);
        return p?.GetValue(null) is double d ? d : null;
    }

    public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        double? flops = FlopsPerOperation(benchmarkCase);
        if (stats is null || flops is null || !(stats.Median > 0))
            return null;
        return flops.Value / stats.Median; // flops per ns = GFLOP/s
    }

    public override string ToString() => ColumnName;
}

/// <summary>GFLOP/s as a percentage of the best FmaPeak result of the same summary (the core's FMA peak).</summary>
public sealed class PeakPercentColumn : IColumn
{
    public string Id => nameof(PeakPercentColumn);
    public string ColumnName => "% peak";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GFLOP/s / the single-core FMA peak (the best FmaPeak result of this run, any job)";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? peak = Peak(summary);
        double? g = GflopsColumn.Gflops(summary, benchmarkCase);
        return peak is { } p && g is { } v ? (100 * v / p).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
    }

    public static double? Peak(Summary summary)
    {
        double? best = null;
        foreach (var c in summary.BenchmarksCases)
        {
            if (!c.Descriptor.Type.Name.StartsWith("FmaPeak", StringComparison.Ordinal))
                continue;
            if (GflopsColumn.Gflops(summary, c) is { } g && (best is null || g > best))
                best = g;
        }
        return best;
    }

    public override string ToString() => ColumnName;
}
