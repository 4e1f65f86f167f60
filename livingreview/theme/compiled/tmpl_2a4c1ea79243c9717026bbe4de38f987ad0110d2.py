from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_study_rows.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_rows = resolve('rows')
    pass
    for l_1_row in (undefined(name='rows') if l_0_rows is missing else l_0_rows):
        l_1_url = resolve('url')
        _loop_vars = {}
        pass
        yield '    <tr id="row-'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'study'), 'id'))
        yield '" data-id="'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'study'), 'id'))
        yield '">\n      <td data-label="Study"><a href="'
        yield escape(context.call((undefined(name='url') if l_1_url is missing else l_1_url), (('studies/' + environment.getattr(environment.getattr(l_1_row, 'study'), 'id')) + '.html'), _loop_vars=_loop_vars))
        yield '">'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'study'), 'short_citation'))
        yield '</a></td>\n      <td data-label="Year">'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'study'), 'year'))
        yield '</td>\n      <td data-label="Title">'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'study'), 'title'))
        yield '</td>\n'
        for (l_2_label, l_2_text, l_2_missing) in environment.getattr(l_1_row, 'cells'):
            _loop_vars = {}
            pass
            yield '      <td data-label="'
            yield escape(l_2_label)
            yield '"'
            if l_2_missing:
                pass
                yield ' class="not-coded" data-missing'
            yield '>'
            yield escape(l_2_text)
            yield '</td>\n'
        l_2_label = l_2_text = l_2_missing = missing
        yield '    </tr>\n'
    l_1_row = l_1_url = missing

blocks = {}
debug_info = '2=12&3=17&4=21&5=25&6=27&7=29&8=33'