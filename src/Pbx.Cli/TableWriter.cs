using System.Text.Json.Nodes;

namespace Pbx.Cli;

/// <summary>Renders a JSON array as an aligned text table with the chosen columns.</summary>
internal static class TableWriter
{
    public static Action<JsonNode, TextWriter> Columns(params (string Header, string Property)[] columns) => (node, output) =>
    {
        var rows = (node as JsonArray ?? [node.DeepClone()]).Select(item =>
            columns.Select(c => Cell(item?[c.Property])).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Header.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", columns.Select((c, i) => c.Header.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    };

    private static string Cell(JsonNode? value) => value switch
    {
        null => "-",
        JsonArray array => string.Join(",", array.Select(v => v?.ToString())),
        _ => value.ToString(),
    };
}
