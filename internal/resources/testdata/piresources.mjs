// Loads a project's resources with pi's own resource loader and prints
// what it found, for the comparison test in interop_test.go.
// Usage: node piresources.mjs <pi-coding-agent dist dir> <cwd> <agent dir> <substitutions.json>
import { readFileSync } from "node:fs";

const [distDir, cwd, agentDir, substPath] = process.argv.slice(2);
const { DefaultResourceLoader } = await import(`${distDir}/core/resource-loader.js`);
const { SettingsManager } = await import(`${distDir}/core/settings-manager.js`);
const { buildSystemPrompt } = await import(`${distDir}/core/system-prompt.js`);
const { expandPromptTemplate } = await import(`${distDir}/core/prompt-templates.js`);

const loader = new DefaultResourceLoader({ cwd, agentDir, settingsManager: SettingsManager.create(cwd, agentDir) });
await loader.reload();
const { skills, diagnostics: skillDiagnostics } = loader.getSkills();
const { prompts, diagnostics: promptDiagnostics } = loader.getPrompts();
const contextFiles = loader.getAgentsFiles().agentsFiles;
const append = loader.getAppendSystemPrompt();
const prompt = buildSystemPrompt({
	cwd,
	customPrompt: loader.getSystemPrompt(),
	appendSystemPrompt: append.length > 0 ? append.join("\n\n") : undefined,
	selectedTools: ["read", "bash"],
	toolSnippets: { read: "r", bash: "b" },
	contextFiles,
	skills,
});
const expansions = JSON.parse(readFileSync(substPath, "utf8")).map((text) => expandPromptTemplate(text, prompts));
process.stdout.write(JSON.stringify({
	skills: skills.map((s) => ({ name: s.name, description: s.description, filePath: s.filePath, disableModelInvocation: s.disableModelInvocation })),
	skillDiagnostics,
	prompts: prompts.map((p) => ({ name: p.name, description: p.description, argumentHint: p.argumentHint ?? "", content: p.content, filePath: p.filePath })),
	promptDiagnostics,
	contextFiles,
	prompt,
	expansions,
}));
