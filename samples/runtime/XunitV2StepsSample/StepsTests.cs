using TmsBridge;
using Xunit;
using Xunit.Abstractions;

namespace XunitV2StepsSample;

/// <summary>
/// TmsBridge.Tms inside running tests: steps with their own status and evidence, comments, parameters,
/// and a key chosen at run time. The TMS gets the steps, the comment and the evidence with each result.
/// </summary>
public class StepsTests
{
    private static readonly string Screenshot = Path.Combine(AppContext.BaseDirectory, "evidence", "screen.png");

    // xUnit v2 has no ambient test context: hand the output helper to TmsBridge once per test.
    public StepsTests(ITestOutputHelper output) => TmsOutput.Use(output);

    // Three steps; the second fails with a screenshot. The test records that and goes on to the third
    // step (what the user sees), then fails, as a checkout with a declined card should.
    [Fact]
    [TestCaseKey("DEMO-8", "DEMO-TC-8")]
    public async Task Checkout_with_a_declined_card()
    {
        Tms.Parameter("card", "declined test card");
        var items = Tms.Step("Open the cart", () => 3);
        try
        {
            Tms.Step("Pay with the declined card", () =>
            {
                Tms.Attach(File.ReadAllBytes(Screenshot), "declined.png", "image/png");
                throw new InvalidOperationException("payment refused: card declined");
            });
        }
        catch (InvalidOperationException)
        {
            // The step is recorded as failed with this message; the test checks the error page next.
        }
        await Tms.StepAsync("See the error page", async () =>
        {
            await Task.Delay(10);
            Tms.Comment($"the cart still holds {items} items after the refused payment");
        });
        Assert.Fail("checkout failed: card declined");
    }

    // No attribute: the key is chosen while the test runs (e.g. from a data row or the environment).
    [Fact]
    public void Key_chosen_at_run_time()
    {
        var region = "eu";
        Tms.Key("DEMO-9");
        Tms.Key("DEMO-TC-9");
        Tms.Parameter("region", region);
        Tms.Step("Look up the region's price list", () => Tms.Comment($"price list for {region} found"));
    }
}
