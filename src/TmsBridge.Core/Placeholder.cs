namespace TmsBridge; internal static class Placeholder { }
