using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Tests.Support;

namespace EdgeRnn.Generators.Tests;

public class DescriptorDocsTests
{
    private static readonly string[] s_expectedIds = [.. Enumerable.Range(1, Descriptors.All.Count()).Select(i => $"ERNN{i:D4}")];

    [Fact]
    public void The_descriptor_ids_run_from_ERNN0001_without_gaps()
    {
        Assert.True(s_expectedIds.Length >= 26);
        Assert.Equal(s_expectedIds, Descriptors.All.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> Ids => [.. s_expectedIds];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_descriptor_has_a_docs_page_and_links_to_it(string id)
    {
        var descriptor = Descriptors.ById(id);
        Assert.EndsWith("/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Equal("EdgeRnn", descriptor.Category);
        Assert.True(descriptor.IsEnabledByDefault);

        string page = Path.Combine(Repo.DiagnosticsDocsDirectory, id + ".md");
        Assert.True(File.Exists(page), $"missing docs page {page}");
        string firstLine = File.ReadLines(page).First();
        Assert.Equal($"# {id}: {descriptor.Title}", firstLine);
        string severity = descriptor.DefaultSeverity.ToString();
        Assert.Contains($"**Severity:** {severity}", File.ReadAllText(page), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_descriptor_is_listed_in_the_diagnostics_index()
    {
        string index = File.ReadAllText(Path.Combine(Repo.DiagnosticsDocsDirectory, "README.md"));
        foreach (var d in Descriptors.All)
            Assert.Contains($"| [{d.Id}]({d.Id}.md) | {d.DefaultSeverity} | {d.Title} |", index, StringComparison.Ordinal);
    }

    [Fact]
    public void The_unknown_layer_type_page_lists_every_registered_layer_type()
    {
        string page = File.ReadAllText(Path.Combine(Repo.DiagnosticsDocsDirectory, "ERNN0006.md"));
        foreach (var kind in EdgeRnn.Generators.Layers.LayerKinds.All)
            Assert.Contains($"`{kind.TypeName}`", page, StringComparison.Ordinal);
    }
}
