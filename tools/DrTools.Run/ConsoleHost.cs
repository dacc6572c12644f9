using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace DrTools.Run
{
    /// <summary>A minimal console host: enough for Out-Default tables, -WhatIf text, -Confirm prompts and streams.</summary>
    sealed class ConsoleHost : PSHost
    {
        readonly ConsoleUI _ui = new();
        public int ErrorsWritten => _ui.ErrorsWritten;
        public override string Name => "drrun";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    sealed class ConsoleUI : PSHostUserInterface
    {
        public int ErrorsWritten;
        public override PSHostRawUserInterface RawUI { get; } = new RawUI();
        // Keep colours on a terminal, plain text in logs and pipes.
        static string Plain(string s) => GetOutputString(s, !Console.IsOutputRedirected);
        public override void Write(string value) => Console.Write(Plain(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Write(Plain(value));
        public override void WriteLine(string value) => Console.WriteLine(Plain(value));
        public override void WriteErrorLine(string value) { ErrorsWritten++; Console.Error.WriteLine(value); }
        public override void WriteDebugLine(string message) => Console.Error.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.Error.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.Error.WriteLine("WARNING: " + message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => Console.ReadLine() ?? "";
        public override SecureString ReadLineAsSecureString() => new();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("drrun does not prompt for parameter values; pass them on the command line.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Console.WriteLine(caption);
            Console.WriteLine(message);
            for (int i = 0; i < choices.Count; i++) Console.Write($"[{choices[i].Label.Replace("&", "")}] ");
            Console.Write($"(default is \"{choices[defaultChoice].Label.Replace("&", "")}\"): ");
            var answer = Console.ReadLine();
            if (string.IsNullOrWhiteSpace(answer)) return defaultChoice;
            for (int i = 0; i < choices.Count; i++)
            {
                var label = choices[i].Label;
                var amp = label.IndexOf('&');
                var hotkey = amp >= 0 && amp + 1 < label.Length ? label[amp + 1].ToString() : label.Substring(0, 1);
                if (string.Equals(answer.Trim(), hotkey, StringComparison.OrdinalIgnoreCase) || string.Equals(answer.Trim(), label.Replace("&", ""), StringComparison.OrdinalIgnoreCase)) return i;
            }
            return defaultChoice;
        }
    }

    sealed class RawUI : PSHostRawUserInterface
    {
        static int Width { get { try { return Console.IsOutputRedirected ? 160 : Math.Max(80, Console.WindowWidth); } catch { return 160; } } }
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new(Width, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(Width, 100);
        public override Size MaxWindowSize => new(Width, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new(Width, 50); set { } }
        public override string WindowTitle { get; set; } = "drrun";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
