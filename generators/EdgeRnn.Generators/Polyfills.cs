// Language features the netstandard2.0 target lacks at run time.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
