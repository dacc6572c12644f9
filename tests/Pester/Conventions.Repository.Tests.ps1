# Convention: a repository location that is no repository gets a DrTools error saying what a valid one looks like,
# never "Cannot find drive".
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
}

Describe 'Bad -Repository values' {
    It '<Location> is DrTools.InvalidParameter with the valid forms' -TestCases @(
        @{ Location = 's3://' }
        @{ Location = 's3:/corp-dr-backups/fs01'; Hint = 's3://corp-dr-backups/fs01' }
        @{ Location = 'ftp://files.example.com/dr' }
        @{ Location = 'https://corp-dr-backups.s3.us-west-2.amazonaws.com/fs01'; Hint = 's3://corp-dr-backups/fs01' }
        @{ Location = 's3://Corp DR Backups/fs01' }
        @{ Location = 'nosuchdrive:\DrBackup' }
    ) {
        $err = $null
        try { Get-DrBackup -Repository $Location -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'DrTools.InvalidParameter*'
        $err.Exception.Message | Should -Not -BeLike '*Cannot find drive*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*s3://bucket/prefix*'
        if ($Hint) { $err.ErrorDetails.RecommendedAction | Should -BeLike "*$Hint*" }
    }

    It 'the same check runs before Invoke-DrBackup reads anything' {
        { Invoke-DrBackup -Path $PSScriptRoot -Repository 's3:/corp-dr-backups/fs01' -ErrorAction Stop } | Should -Throw -ErrorId 'DrTools.InvalidParameter*'
    }
}
