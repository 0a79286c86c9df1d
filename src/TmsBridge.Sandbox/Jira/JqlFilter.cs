using System.Text;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.Jira;

/// <summary>A Test Execution as the lookup endpoints see it (Jira issue + what the imports stored).</summary>
internal sealed record ExecutionRow(string Key, string Id, string Project, string? Summary, string? Description, long Sequence)
{
    /// <summary>Every Test Execution of the instance: seeded ones (no summary until an import touches them) and created ones.</summary>
    /// <param name="other">Another API's executions in the same Jira (RTM Server's): summary and description, or null.</param>
    public static IEnumerable<ExecutionRow> All(JiraInstance jira, XrayServerState store, Func<string, (string? Summary, string? Description)?>? other = null) =>
        jira.Issues.Where(i => i.Kind == IssueKind.TestExecution).Select(i =>
        {
            var e = store.FindExecution(i.Key);
            var o = e is null ? other?.Invoke(i.Key) : null;
            return new ExecutionRow(i.Key, i.Id, i.ProjectKey, e?.Summary ?? o?.Summary, e?.Description ?? o?.Description, i.Sequence);
        });
}

/// <summary>
/// Invalid JQL; the message follows Jira's "Error in the JQL Query: ..." form. Jira lists one message
/// per problem (each unknown key of a <c>key in (...)</c>): <see cref="Messages"/>.
/// </summary>
internal sealed class JqlException : Exception
{
    public JqlException(string message) : this([message]) { }

    public JqlException(IReadOnlyList<string> messages) : base(string.Join(" ", messages)) => Messages = messages;

    public IReadOnlyList<string> Messages { get; }
}

/// <summary>
/// The small JQL subset the lookup endpoints understand (Jira DC <c>GET /rest/api/2/search</c> and
/// Xray Cloud GraphQL <c>getTestExecutions(jql:)</c>): clauses joined by <c>AND</c>:
/// <c>project = KEY</c>, <c>issuetype = "Test Execution"</c>, <c>key = X</c>, <c>key in (X, Y)</c>,
/// <c>summary ~ "text"</c>, <c>description ~ "text"</c> (case-insensitive contains), values quoted
/// ("…" or '…', backslash escapes) or bare; optional <c>ORDER BY key|created|summary [ASC|DESC]</c>.
/// Only Test Executions are searched. Anything else is refused with <see cref="JqlException"/>.
/// </summary>
internal sealed class JqlFilter
{
    private readonly List<Func<ExecutionRow, bool>> _clauses = [];
    private readonly List<(string Field, bool Descending)> _order = [];

    private JqlFilter()
    {
    }

    /// <summary>Parses <paramref name="jql"/>, resolving <c>project</c> and <c>key</c> values against <paramref name="jira"/>.</summary>
    public static JqlFilter Parse(string? jql, JiraInstance jira)
    {
        var filter = new JqlFilter();
        var tokens = Tokenize(jql ?? "");
        var i = 0;
        Token Next(string expected) => i < tokens.Count ? tokens[i++] : throw Error($"Expecting {expected} but reached the end of the query.");
        bool IsWord(string word) => i < tokens.Count && tokens[i].Kind == TokenKind.Word && tokens[i].Text.Equals(word, StringComparison.OrdinalIgnoreCase);

        while (i < tokens.Count && !IsWord("ORDER"))
        {
            if (filter._clauses.Count > 0)
            {
                var conj = Next("'AND'");
                if (conj.Kind != TokenKind.Word || !conj.Text.Equals("AND", StringComparison.OrdinalIgnoreCase))
                    throw Error(conj.Text.Equals("OR", StringComparison.OrdinalIgnoreCase)
                        ? "'OR' is not supported by the sandbox (only clauses joined by AND)."
                        : $"Expecting 'AND' or 'ORDER BY' but got '{conj.Text}'.");
            }
            var field = Next("a field name");
            if (field.Kind != TokenKind.Word)
                throw Error($"Expecting a field name but got '{field.Text}'.");
            var op = Next("an operator");
            if (op.Kind == TokenKind.Word && op.Text.Equals("in", StringComparison.OrdinalIgnoreCase))
            {
                filter._clauses.Add(InClause(field.Text, ReadList(tokens, ref i), jira));
                continue;
            }
            if (op.Kind != TokenKind.Operator)
                throw Error($"Expecting an operator after '{field.Text}' but got '{op.Text}'.");
            var value = Next("a value");
            if (value.Kind is not (TokenKind.Word or TokenKind.Quoted))
                throw Error($"Expecting a value after '{field.Text} {op.Text}' but got '{value.Text}'.");
            filter._clauses.Add(Clause(field.Text, op.Text, value.Text, jira));
        }

        if (i < tokens.Count)
        {
            i++; // ORDER
            if (!IsWord("BY"))
                throw Error("Expecting 'BY' after 'ORDER'.");
            i++;
            do
            {
                var field = Next("a field to order by");
                var name = field.Text.ToLowerInvariant();
                if (field.Kind != TokenKind.Word || name is not ("key" or "issuekey" or "created" or "summary"))
                    throw Error($"The sandbox orders by key, created or summary only, not '{field.Text}'.");
                var descending = false;
                if (IsWord("DESC") || IsWord("ASC"))
                    descending = tokens[i++].Text.Equals("DESC", StringComparison.OrdinalIgnoreCase);
                filter._order.Add((name == "issuekey" ? "key" : name, descending));
            }
            while (i < tokens.Count && tokens[i].Kind == TokenKind.Comma && ++i > 0);
            if (i < tokens.Count)
                throw Error($"Unexpected '{tokens[i].Text}' after the ORDER BY clause.");
        }
        return filter;
    }

    /// <summary>The matching executions, ordered (default: newest first, like <c>ORDER BY created DESC</c>).</summary>
    public IReadOnlyList<ExecutionRow> Apply(IEnumerable<ExecutionRow> rows)
    {
        var matching = rows.Where(r => _clauses.TrueForAll(c => c(r)));
        if (_order.Count == 0)
            return matching.OrderByDescending(r => r.Sequence).ToArray();

        IOrderedEnumerable<ExecutionRow>? ordered = null;
        foreach (var (field, descending) in _order)
        {
            Func<ExecutionRow, IComparable> key = field switch
            {
                "key" => r => (r.Project, KeyNumber(r.Key)),
                "summary" => r => r.Summary ?? "",
                _ => r => r.Sequence,
            };
            ordered = ordered is null
                ? descending ? matching.OrderByDescending(key) : matching.OrderBy(key)
                : descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
        }
        return ordered!.ToArray();
    }

    private static long KeyNumber(string key) => long.Parse(key.AsSpan(key.LastIndexOf('-') + 1), System.Globalization.CultureInfo.InvariantCulture);

    private static Func<ExecutionRow, bool> Clause(string field, string op, string value, JiraInstance jira)
    {
        var name = field.ToLowerInvariant();
        switch (name)
        {
            case "project":
                RequireOperator(field, op, "=");
                var project = jira.FindProject(value) ?? jira.FindProjectById(value)
                    ?? throw Error($"The value '{value}' does not exist for the field 'project'.");
                return r => r.Project == project.Key;
            case "issuetype" or "type":
                RequireOperator(field, op, "=");
                var known = new[] { "Test Execution", "Test", "Story", "Bug", "Test Plan" };
                if (!known.Contains(value, StringComparer.OrdinalIgnoreCase))
                    throw Error($"The value '{value}' does not exist for the field '{field}'.");
                // Only Test Executions are indexed: another type matches nothing.
                var isExecution = value.Equals("Test Execution", StringComparison.OrdinalIgnoreCase);
                return _ => isExecution;
            case "key" or "issuekey":
                RequireOperator(field, op, "=");
                if (jira.Find(value) is null)
                    throw Error($"An issue with key '{value}' does not exist for field '{field}'.");
                return r => r.Key == value;
            case "summary":
                RequireOperator(field, op, "~");
                return r => r.Summary?.Contains(value, StringComparison.OrdinalIgnoreCase) == true;
            case "description":
                RequireOperator(field, op, "~");
                return r => r.Description?.Contains(value, StringComparison.OrdinalIgnoreCase) == true;
            default:
                throw Error($"Field '{field}' does not exist or is not supported by the sandbox (project, issuetype, key, summary, description).");
        }
    }

    /// <summary>The values of <c>( a, "b", c )</c> after IN.</summary>
    private static List<string> ReadList(List<Token> tokens, ref int i)
    {
        if (i >= tokens.Count || tokens[i].Kind != TokenKind.Open)
            throw Error("Expecting '(' after 'in'.");
        i++;
        var values = new List<string>();
        while (true)
        {
            if (i >= tokens.Count || tokens[i].Kind is not (TokenKind.Word or TokenKind.Quoted))
                throw Error("Expecting a value in the list after 'in'.");
            values.Add(tokens[i++].Text);
            if (i < tokens.Count && tokens[i].Kind == TokenKind.Comma) { i++; continue; }
            if (i < tokens.Count && tokens[i].Kind == TokenKind.Close) { i++; return values; }
            throw Error("Expecting ',' or ')' in the list after 'in'.");
        }
    }

    /// <summary>
    /// <c>key in (...)</c>: like Jira, every key that does not exist is an error of its own, so one
    /// answer names them all.
    /// </summary>
    private static Func<ExecutionRow, bool> InClause(string field, List<string> values, JiraInstance jira)
    {
        if (field.ToLowerInvariant() is not ("key" or "issuekey"))
            throw Error($"The sandbox supports 'in' for the key field only, not '{field}'.");
        var missing = values.Where(v => jira.Find(v) is null).Select(v => $"Error in the JQL Query: An issue with key '{v}' does not exist for field '{field}'.").ToList();
        if (missing.Count > 0) throw new JqlException(missing);
        var keys = new HashSet<string>(values, StringComparer.Ordinal);
        return r => keys.Contains(r.Key);
    }

    private static void RequireOperator(string field, string op, string expected)
    {
        if (op != expected)
            throw Error($"The operator '{op}' is not supported by the '{field}' field (the sandbox supports '{expected}').");
    }

    private static JqlException Error(string detail) => new($"Error in the JQL Query: {detail}");

    private enum TokenKind
    {
        Word,
        Quoted,
        Operator,
        Comma,
        Open,
        Close,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private static List<Token> Tokenize(string jql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < jql.Length)
        {
            var c = jql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                var start = i++;
                while (true)
                {
                    if (i >= jql.Length)
                        throw Error($"The quoted string starting at character {start + 1} has not been completed.");
                    var d = jql[i++];
                    if (d == c)
                        break;
                    if (d == '\\' && i < jql.Length)
                        d = jql[i++];
                    sb.Append(d);
                }
                tokens.Add(new Token(TokenKind.Quoted, sb.ToString()));
            }
            else if (c is '=' or '~')
            {
                tokens.Add(new Token(TokenKind.Operator, c.ToString()));
                i++;
            }
            else if (c is '!' or '<' or '>')
            {
                var op = i + 1 < jql.Length && jql[i + 1] is '=' or '~' ? jql.Substring(i, 2) : c.ToString();
                tokens.Add(new Token(TokenKind.Operator, op));
                i += op.Length;
            }
            else if (c == ',')
            {
                tokens.Add(new Token(TokenKind.Comma, ","));
                i++;
            }
            else if (c is '(' or ')')
            {
                // Only a key list after IN: grouping and functions are refused by the parser.
                tokens.Add(new Token(c == '(' ? TokenKind.Open : TokenKind.Close, c.ToString()));
                i++;
            }
            else
            {
                var start = i;
                while (i < jql.Length && !char.IsWhiteSpace(jql[i]) && jql[i] is not ('=' or '~' or '!' or '<' or '>' or ',' or '(' or ')' or '"' or '\''))
                    i++;
                tokens.Add(new Token(TokenKind.Word, jql[start..i]));
            }
        }
        return tokens;
    }
}
