/* xml.h - text inside XML, SVG and HTML markup. */
#ifndef VM_XML_H
#define VM_XML_H

#include <stdio.h>

/* Writes s with &, <, >, " and ' as entities, so that a name the script
 * chose (a strip called "<script>") is shown as text, in an element or in
 * an attribute value, and never becomes markup; and with each byte that is
 * not valid UTF-8 (RFC 3629), each control byte but tab, LF and CR, and DEL
 * as U+FFFD, so the page stays well-formed UTF-8 whatever bytes a name
 * holds (the same rule as the JSON beside it, vm/json.h). */
void vm_xml_text(FILE *f, const char *s);

#endif
