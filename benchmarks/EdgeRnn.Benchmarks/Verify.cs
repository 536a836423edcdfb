namespace EdgeRnn.Benchmarks;

/// <summary>
/// <c>--verify</c>: runs every model's GlobalSetup check without timing: the four implementations of <see cref="Rnn{TModel}"/>
/// agree within 1e-4, and RTNeural agrees with EdgeRnn within 1e-5 on every config of <see cref="VsRtNeural{TModel}"/>
/// (skipped, and said so, when the RTNeural shim is not built).
/// </summary>
public static class Verify
{
    public static int All()
    {
        int failed = 0;
        failed += One<LstmH16>() + One<LstmH32>() + One<LstmH64>() + One<LstmH128>() + One<LstmH256>();
        failed += One<GruH16>() + One<GruH32>() + One<GruH64>() + One<GruH128>() + One<GruH256>();
        failed += One<AmpLstmH40>();
        if (Peers.RtNeuralShim.Unavailable is { } why)
        {
            Console.WriteLine("RTNeural skipped: " + why);
        }
        else
        {
            failed += RtNeural<LstmH8>() + RtNeural<LstmH16>() + RtNeural<LstmH32>() + RtNeural<LstmH64>() + RtNeural<LstmH128>() + RtNeural<LstmH256>();
            failed += RtNeural<GruH8>() + RtNeural<GruH16>() + RtNeural<GruH32>() + RtNeural<GruH64>() + RtNeural<GruH128>() + RtNeural<GruH256>();
            failed += RtNeural<AmpLstmH12>() + RtNeural<AmpLstmH16>() + RtNeural<AmpLstmH20>() + RtNeural<AmpLstmH40>();
            failed += RtNeural<AmpGruH8>() + RtNeural<Lstm2H64>();
        }
        failed += DecodeStepCheck();
        Console.WriteLine(failed == 0 ? "all models agree" : $"{failed} model(s) disagree");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The date model's decoder step: ONNX Runtime against EdgeRnn (<see cref="DecodeStep.Check"/>, run by its GlobalSetup).</summary>
    private static int DecodeStepCheck()
    {
        var bench = new DecodeStep();
        return SetupAgrees(bench.Setup, bench.Cleanup);
    }

    private static int RtNeural<TModel>() where TModel : struct, IBenchModel
    {
        var bench = new VsRtNeural<TModel>();
        return SetupAgrees(bench.Setup, bench.Cleanup);
    }

    private static int One<TModel>() where TModel : struct, IBenchModel
    {
        var bench = new Rnn<TModel>();
        return SetupAgrees(bench.Setup, bench.Cleanup);
    }

    /// <summary>Runs a benchmark's GlobalSetup, whose cross-check throws when the implementations disagree: 0 if they agree, else 1.</summary>
    private static int SetupAgrees(Action setup, Action cleanup)
    {
        try
        {
            setup();
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("FAILED " + e.Message);
            return 1;
        }
        finally
        {
            cleanup();
        }
    }
}
