namespace NasPlatform.Ctl;

/// <summary>The process exit codes: CI scripts branch on them, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The dataset or search failed, the search was cancelled, or a quality gate was missed.</summary>
    public const int Failed = 1;

    public const int Usage = 2;

    /// <summary>The server answered with an error, could not be reached, or answered something unreadable.</summary>
    public const int Api = 3;

    /// <summary>401 or 403: the token is missing, invalid, revoked or not allowed to write.</summary>
    public const int Authentication = 4;

    /// <summary>The search finished with a model, but under a hard latency budget no architecture kept it: the model is over budget.</summary>
    public const int OverBudget = 5;

    /// <summary>Interrupted (Ctrl-C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
