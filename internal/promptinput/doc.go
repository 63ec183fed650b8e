// Package promptinput turns a prompt request into the user message the
// agent receives: it parses JSON or multipart bodies with the contract's
// limits and error codes, converts PDF/DOCX/XLSX attachments to text,
// expands /skill: and /template commands and @file references, and
// prepends attached text files as fenced blocks that can not be broken out
// of.
//
// # @file references (features §12.12)
//
// A marker starts the text or follows white space: @path or @"path with
// spaces"; one trailing ?,;:!)] before white space or the end is not part
// of the path. Each path goes through the workspace policy of the project
// (no "..", symlink or absolute escape) and is then
//   - inlined as a fenced block when it is a text file of at most 128 KiB
//     and fits the prompt's 512 KiB budget (smallest files first);
//   - left as @path when larger or over budget (the model can read it);
//   - written @dir/ when it is a directory (never inlined);
//   - escaped as \@path when it does not exist, so "thanks @alex" stays
//     prose (the reference's behaviour; the UI shows \@ as a plain @);
//   - replaced by "[@path not included: <reason>]" when it is outside the
//     project, binary, not a regular file or unreadable.
//
// # Attachments (features §12.11)
//
// Images (PNG, JPEG, GIF, WebP; at most 4) become image content; their
// bytes must match an image type (a provider rejects mislabelled data).
// Text files (at most 4, converted documents included) are trusted by MIME
// type or accepted when their first 8 KiB hold no NUL. PDF, DOCX and XLSX
// are converted to text on their own goroutines with a deadline; the
// converted text is capped at 4 MiB. Per request: 20 MiB a file, 6 files,
// 8 fields (8 MiB each), 100 MiB in all.
//
// # Differences from the reference
//
//   - Commands are expanded first and @file references only in the user's
//     own text (a command's arguments, never a skill's or template's body);
//     the reference expanded references in the whole composed text,
//     attached files included, and a command stopped expanding as soon as
//     a file was attached.
//   - File names are sanitised in @file blocks too, not only in
//     attachments.
package promptinput
