namespace Autonomy.Server.Compose.Yaml;

internal enum ScalarKind
{
    Null,
    String,
    Integer,
    Float,
    Boolean,
}
