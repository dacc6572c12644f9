# Convention: Invoke-DrBackup takes paths the way PowerShell passes them: wildcards in -Path, -LiteralPath for names
# with brackets, and Get-Item / Get-ChildItem output from the pipeline.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-paths-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    foreach ($name in 'data', 'proj-a', 'proj-b', 'logs[1]') {
        $folder = [IO.Directory]::CreateDirectory((Join-Path $root $name))
        [IO.File]::WriteAllText((Join-Path $folder.FullName 'file.txt'), $name)
    }
    $repo = Join-Path $root 'repo'
}

AfterAll {
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-DrBackup paths' {
    It 'Get-Item .\data | Invoke-DrBackup backs up the folder' {
        Push-Location $root
        try { $set = Get-Item .\data | Invoke-DrBackup -Repository $repo }
        finally { Pop-Location }
        $set.Files | Should -Be 1
        $set.SourcePaths | Should -Be (Join-Path $root 'data')
    }

    It 'Get-ChildItem output goes into one backup set' {
        $set = Get-ChildItem $root -Directory -Filter 'proj-*' | Invoke-DrBackup -Repository $repo
        @($set) | Should -HaveCount 1
        $set.Files | Should -Be 2
    }

    It '-Path expands wildcards' {
        $set = Invoke-DrBackup -Path (Join-Path $root 'proj-*') -Repository $repo
        $set.Files | Should -Be 2
    }

    It '-LiteralPath takes brackets as typed' {
        $set = Invoke-DrBackup -LiteralPath (Join-Path $root 'logs[1]') -Repository $repo
        $set.Files | Should -Be 1
    }

    It 'strings bind from the pipeline to -Path' {
        $set = (Join-Path $root 'data'), (Join-Path $root 'proj-a') | Invoke-DrBackup -Repository $repo
        $set.Files | Should -Be 2
    }
}
