using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace DrTools.TestSupport
{
    /// <summary>
    /// A PSHost that records what reaches the host UI: -WhatIf text, Out-Default/Out-Host output, prompts.
    /// ShouldProcess writes "What if: ..." only to the host, so tests need this to see -WhatIf plans.
    /// </summary>
    public sealed class TestHost : PSHost
    {
        readonly TestHostUI _ui;
        public TestHost(int? confirmAnswer) => _ui = new TestHostUI(confirmAnswer);

        public string Text => _ui.Text;
        public override string Name => "DrTools.TestHost";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    sealed class TestHostUI : PSHostUserInterface
    {
        /// <summary>The answer "the operator just pressed Enter": the prompt's default choice.</summary>
        public const int PressEnter = -1;

        readonly StringBuilder _text = new();
        readonly int? _confirmAnswer;
        public TestHostUI(int? confirmAnswer) => _confirmAnswer = confirmAnswer;

        public string Text { get { lock (_text) return _text.ToString(); } }
        public override PSHostRawUserInterface RawUI { get; } = new TestRawUI();

        void Append(string s) { lock (_text) _text.Append(GetOutputString(s, false)); }

        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => "";
        public override SecureString ReadLineAsSecureString() => new();

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("The test host does not prompt for values.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Append($"PROMPT: {caption}: {message}\n");
            if (_confirmAnswer == PressEnter) return defaultChoice;
            return _confirmAnswer ?? throw new NotSupportedException("The test was not given an answer for this prompt.");
        }
    }

    sealed class TestRawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;
        public override Size BufferSize { get; set; } = new(200, 3000);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(200, 100);
        public override Size MaxWindowSize => new(200, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(200, 100);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
