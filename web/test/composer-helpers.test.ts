import { describe, expect, it } from "vitest";
import { admit, kindOf, parseBang } from "../src/components/composer/attachments";
import { insertMention, mentionAt, referencedPaths, removeReference } from "../src/components/composer/mentions";
import { BUILTINS, unknownCommand, type SlashCommand } from "../src/components/composer/SlashPalette";

const file = (name: string, type: string, size = 10) => {
  const f = new File(["x"], name, { type });
  Object.defineProperty(f, "size", { value: size });
  return f;
};

describe("@ references", () => {
  it("starts at the beginning or after whitespace, never inside a word or after a backslash", () => {
    expect(mentionAt("@src/ma", 7)).toEqual({ start: 0, query: "src/ma", quoted: false });
    expect(mentionAt("look at @ma", 11)).toEqual({ start: 8, query: "ma", quoted: false });
    expect(mentionAt("mail me@example", 15)).toBeNull();
    expect(mentionAt("a \\@b", 5)).toBeNull();
    expect(mentionAt("@done then more", 15)).toBeNull();
    expect(mentionAt('see @"my fi', 11)).toEqual({ start: 4, query: "my fi", quoted: true });
  });

  it("inserts a file with a space after it, quotes paths with spaces, and keeps folders open", () => {
    const t = "see @ser please";
    expect(insertMention(t, 8, mentionAt(t, 8)!, "server.go")).toEqual({ text: "see @server.go please", caret: 15 });
    expect(insertMention("@my", 3, mentionAt("@my", 3)!, "src/my file.ts").text).toBe('@"src/my file.ts" ');
    expect(insertMention("@sr", 3, mentionAt("@sr", 3)!, "src/")).toEqual({ text: "@src/", caret: 5 });
  });

  it("lists the references of a draft and removes one", () => {
    const t = 'fix @a.go and @"b c.ts", then @a.go again; mail x@y.z';
    expect(referencedPaths(t)).toEqual(["a.go", "b c.ts"]);
    expect(removeReference(t, "a.go")).toBe('fix and @"b c.ts", then again; mail x@y.z');
    expect(removeReference(t, "b c.ts")).toBe("fix @a.go and , then @a.go again; mail x@y.z");
  });
});

describe("attachments", () => {
  it("tells images from text and refuses binaries", () => {
    expect(kindOf(file("a.png", "image/png"))).toBe("image");
    expect(kindOf(file("notes.md", "text/markdown"))).toBe("text");
    expect(kindOf(file("report.pdf", "application/pdf"))).toBe("text");
    expect(kindOf(file("data.json", ""))).toBe("text");
    expect(kindOf(file("a.zip", "application/zip"))).toBeNull();
    expect(kindOf(file("a.bmp", "image/bmp"))).toBeNull();
  });

  it("keeps to 4 images, 4 text files and 20 MB each", () => {
    const imgs = Array.from({ length: 5 }, (_, i) => file(`i${i}.png`, "image/png"));
    const r = admit([], imgs);
    expect(r.add).toHaveLength(4);
    expect(r.refused).toEqual(["i4.png: at most 4 images per message."]);
    const big = admit([], [file("huge.txt", "text/plain", 21 * 1024 * 1024)]);
    expect(big.add).toHaveLength(0);
    expect(big.refused[0]).toMatch(/larger than 20 MB/);
    const texts = admit([{ kind: "text" }, { kind: "text" }, { kind: "text" }], [file("a.txt", "text/plain"), file("b.txt", "text/plain")]);
    expect(texts.add.map((a) => a.file.name)).toEqual(["a.txt"]);
  });

  it("reads ! and !! commands", () => {
    expect(parseBang("!ls -la")).toEqual({ command: "ls -la", excludeFromContext: false });
    expect(parseBang("!! git status")).toEqual({ command: "git status", excludeFromContext: true });
    expect(parseBang("!")).toBeNull();
    expect(parseBang("hello!")).toBeNull();
  });
});

describe("unknown commands", () => {
  const known: SlashCommand[] = [...BUILTINS, { name: "review", description: "", kind: "template" }, { name: "skill:pdf", description: "", kind: "skill" }];
  it("refuses a /word that nothing expands, but not paths, known names or //", () => {
    expect(unknownCommand("/revew this", known)).toBe("revew");
    expect(unknownCommand("/review src", known)).toBeNull();
    expect(unknownCommand("/skill:pdf fill it", known)).toBeNull();
    expect(unknownCommand("/etc/hosts is broken", known)).toBeNull();
    expect(unknownCommand("//not a command", known)).toBeNull();
  });
});
