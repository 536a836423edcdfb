using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// Locations in one text file from character offsets, with the line starts found once: a manifest with thousands
/// of diagnostics (or layers, each remembering its place) stays linear in its size.
/// Lines end at '\n', as <see cref="LocationInfo.PositionOf"/> counts them.
/// </summary>
internal sealed class TextLines
{
    private readonly string _path;
    private readonly string _text;
    private readonly List<int> _lineStarts = [0];

    public TextLines(string path, string text)
    {
        _path = path;
        _text = text;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') _lineStarts.Add(i + 1);
    }

    /// <summary>The span [start, start + length), clamped to the text.</summary>
    public LocationInfo At(int start, int length)
    {
        start = System.Math.Max(0, System.Math.Min(start, _text.Length));
        length = System.Math.Max(0, System.Math.Min(length, _text.Length - start));
        return new LocationInfo(_path, new TextSpan(start, length), new LinePositionSpan(PositionOf(start), PositionOf(start + length)));
    }

    private LinePosition PositionOf(int offset)
    {
        int lo = 0, hi = _lineStarts.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_lineStarts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return new LinePosition(lo, offset - _lineStarts[lo]);
    }
}
