using System;
using System.Collections;
using System.Collections.Generic;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// An immutable array with value equality, so pipeline records compare by content and the
/// incremental generator can serve unchanged models from its cache.
/// </summary>
internal readonly struct EquatableArray<T>(T[]? items) : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? _items = items;

    public static EquatableArray<T> Empty => new([]);

    public int Length => _items?.Length ?? 0;
    public T this[int index] => _items![index];
    public ReadOnlySpan<T> AsSpan() => _items;

    public bool Equals(EquatableArray<T> other) => AsSpan().SequenceEqual(other.AsSpan());
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var items = _items;
        if (items is null) return 0;
        int hash = items.Length;
        // A bounded sample keeps hashing a multi-megabyte weight array cheap; Equals stays exact.
        int step = Math.Max(1, items.Length / 64);
        for (int i = 0; i < items.Length; i += step)
            hash = unchecked(hash * 31 + items[i].GetHashCode());
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? [])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}

internal static class EquatableArray
{
    public static EquatableArray<T> From<T>(IEnumerable<T> items) where T : IEquatable<T> => new([.. items]);
}
