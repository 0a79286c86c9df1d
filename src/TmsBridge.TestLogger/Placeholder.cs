namespace TmsBridge.TestLogger; internal static class Placeholder { }
