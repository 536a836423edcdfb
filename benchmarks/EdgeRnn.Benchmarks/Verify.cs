namespace EdgeRnn.Benchmarks;

/// <summary><c>--verify</c>: runs every model's GlobalSetup check (the four implementations agree within 1e-4) without timing.</summary>
public static class Verify
{
    public static int All()
    {
        int failed = 0;
        failed += One<LstmH16>() + One<LstmH32>() + One<LstmH64>() + One<LstmH128>() + One<LstmH256>();
        failed += One<GruH16>() + One<GruH32>() + One<GruH64>() + One<GruH128>() + One<GruH256>();
        failed += One<AmpLstmH40>();
        Console.WriteLine(failed == 0 ? "all models agree" : $"{failed} model(s) disagree");
        return failed == 0 ? 0 : 1;
    }

    private static int One<TModel>() where TModel : struct, IBenchModel
    {
        var bench = new Rnn<TModel>();
        try
        {
            bench.Setup();
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("FAILED " + e.Message);
            return 1;
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
