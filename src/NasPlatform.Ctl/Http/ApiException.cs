namespace NasPlatform.Ctl.Http;

/// <summary>
/// A request that did not succeed: the server answered with an error (<see cref="Status"/> set), or
/// it could not be reached, timed out or answered something unreadable (<see cref="Status"/> null).
/// The message is complete and ready for stderr.
/// </summary>
public sealed class ApiException(string message, int? status = null) : Exception(message)
{
    public int? Status { get; } = status;

    /// <summary>401/403: a token problem, which CI fixes in its secrets, not in the command line.</summary>
    public bool IsAuthentication => Status is 401 or 403;
}
