{{- define "type" -}}
{{- $type := . -}}
{{- if markdownShouldRenderType $type -}}

#### {{ $type.Name }}

{{ if $type.IsAlias }}_Underlying type:_ _{{ markdownRenderTypeLink $type.UnderlyingType  }}_{{ end }}

{{ $type.Doc }}

{{ if $type.Validation -}}
_Validation:_
{{- range $type.Validation }}
- {{ . }}
{{- end }}
{{- end }}

{{ if $type.References -}}
_Appears in:_
{{- range $type.SortedReferences }}
- {{ markdownRenderTypeLink . }}
{{- end }}
{{- end }}

{{ if $type.Members -}}
| Field | Description | Default | Validation |
| --- | --- | --- | --- |
{{ if $type.GVK -}}
| `apiVersion` _string_ | `{{ $type.GVK.Group }}/{{ $type.GVK.Version }}` | | |
| `kind` _string_ | `{{ $type.GVK.Kind }}` | | |
{{ end -}}

{{ range $type.Members -}}
| `{{ .Name  }}` _{{ markdownRenderType .Type }}_ | {{ template "type_members" . }} | {{ markdownRenderDefault .Default }} | {{ range .Validation -}} {{ template "validation" . }} <br />{{ end }} |
{{ end -}}

{{ end -}}

{{ if $type.EnumValues -}} 
| Field | Description |
| --- | --- |
{{ range $type.EnumValues -}}
| `{{ .Name }}` | {{ markdownRenderFieldDoc .Doc }} |
{{ end -}}
{{ end -}}


{{- end -}}
{{- end -}}

{{- /*
A Pattern is a regular expression: one with "](" in a code span reads as a
Markdown link to the checker in test/docs, so such a pattern is written as
HTML code with every character Markdown acts on as an entity. The rest is upstream's
markdown renderer (crd-ref-docs v0.3.0, templates/markdown), unchanged.
*/ -}}
{{- define "validation" -}}
{{- if and (hasPrefix "Pattern: `" .) (hasSuffix "`" .) (contains "](" .) -}}
{{- $p := . | trimPrefix "Pattern: `" | trimSuffix "`" -}}
{{- $p = $p | replace "&" "&amp;" | replace "<" "&lt;" | replace ">" "&gt;" | replace "\\" "&#92;" | replace "|" "&#124;" -}}
{{- $p = $p | replace "*" "&#42;" | replace "_" "&#95;" | replace "[" "&#91;" | replace "]" "&#93;" | replace "(" "&#40;" | replace ")" "&#41;" | replace "~" "&#126;" | replace "{" "&#123;" | replace "}" "&#125;" -}}
Pattern: <code>{{ $p }}</code>
{{- else -}}
{{ markdownRenderFieldDoc . }}
{{- end -}}
{{- end -}}
