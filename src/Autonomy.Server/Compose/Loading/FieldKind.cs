namespace Autonomy.Server.Compose.Loading;

/// <summary>The shape a service field takes in the Compose Specification.</summary>
internal enum FieldKind
{
    Text,
    Integer,
    Number,
    Boolean,
    Duration,
    /// <summary>A byte count: a number, or a text with a unit (<c>512m</c>, <c>1gb</c>).</summary>
    ByteSize,
    /// <summary>A text, or a list of texts.</summary>
    TextOrList,
    TextList,
    /// <summary>A mapping, or a list of <c>KEY=VALUE</c>.</summary>
    KeyValues,
    Mapping,
    Any,
    /// <summary>Normalized by its own code in <see cref="ServiceNormalizer"/>.</summary>
    Special,
}
