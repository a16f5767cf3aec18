using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>A null-terminated array of UTF-8 C strings (argv, envp), in native memory until disposed.</summary>
internal sealed class NativeStringArray : IDisposable
{
    private readonly IntPtr[] _strings;

    public NativeStringArray(IReadOnlyList<string> values)
    {
        _strings = new IntPtr[values.Count];
        Pointer = Marshal.AllocHGlobal(IntPtr.Size * (values.Count + 1));
        for (var i = 0; i < values.Count; i++)
        {
            _strings[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            Marshal.WriteIntPtr(Pointer, i * IntPtr.Size, _strings[i]);
        }
        Marshal.WriteIntPtr(Pointer, values.Count * IntPtr.Size, IntPtr.Zero);
    }

    /// <summary>The <c>char*[]</c> to pass to C.</summary>
    public IntPtr Pointer { get; }

    public void Dispose()
    {
        foreach (var s in _strings)
        {
            Marshal.FreeCoTaskMem(s);
        }
        Marshal.FreeHGlobal(Pointer);
    }
}
