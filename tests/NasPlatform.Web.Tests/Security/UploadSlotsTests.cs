using NasPlatform.Web.Security;

namespace NasPlatform.Web.Tests.Security;

public sealed class UploadSlotsTests
{
    [Fact]
    public void EachUser_GetsAtMostMaxSlots_AndReleasedSlotsReturn()
    {
        var slots = new UploadSlots();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var first = slots.TryTake(alice, 2);
        var second = slots.TryTake(alice, 2);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(slots.TryTake(alice, 2));
        Assert.NotNull(slots.TryTake(bob, 2)); // another user's uploads are separate
        first!.Dispose();
        first.Dispose(); // releasing twice frees one slot only
        var third = slots.TryTake(alice, 2);
        Assert.NotNull(third);
        Assert.Null(slots.TryTake(alice, 2));
    }
}
