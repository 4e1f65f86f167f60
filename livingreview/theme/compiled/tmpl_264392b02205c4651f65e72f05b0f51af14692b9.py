from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_codebook.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_codebook = resolve('codebook')
    pass
    yield '<div class="codebook">\n'
    l_1_loop = missing
    for l_1_field, l_1_loop in LoopContext(environment.getattr((undefined(name='codebook') if l_0_codebook is missing else l_0_codebook), 'fields'), undefined):
        l_1_field_kinds = resolve('field_kinds')
        _loop_vars = {}
        pass
        yield '<section class="codebook-field" id="field-'
        yield escape(environment.getattr(l_1_field, 'key'))
        yield '">\n  <h3>'
        yield escape(environment.getattr(l_1_field, 'label'))
        yield ' <code>'
        yield escape(environment.getattr(l_1_field, 'key'))
        yield '</code></h3>\n  <p>'
        yield escape(environment.getattr(l_1_field, 'description'))
        yield ' <span class="muted">Each study records '
        yield escape(environment.getattr(environment.getitem((undefined(name='field_kinds') if l_1_field_kinds is missing else l_1_field_kinds), environment.getattr(l_1_field, 'kind')), 'reads'))
        if environment.getattr(l_1_field, 'required'):
            pass
            yield '; to be coded for every study'
        yield '.</span></p>\n'
        if environment.getitem(l_1_field, 'values'):
            pass
            yield '  <dl>'
            for l_2_value in environment.getitem(l_1_field, 'values'):
                _loop_vars = {}
                pass
                yield '<dt><code>'
                yield escape(environment.getattr(l_2_value, 'key'))
                yield '</code> '
                yield escape(environment.getattr(l_2_value, 'label'))
                yield '</dt><dd>'
                yield escape(environment.getattr(l_2_value, 'definition'))
                yield '</dd>'
            l_2_value = missing
            yield '</dl>\n'
        elif (environment.getattr(l_1_field, 'kind') == 'country'):
            pass
            yield '  <p>ISO 3166-1 alpha-2 codes; each belongs to a region: '
            l_2_loop = missing
            for l_2_region, l_2_loop in LoopContext(environment.getattr((undefined(name='codebook') if l_0_codebook is missing else l_0_codebook), 'regions'), undefined):
                _loop_vars = {}
                pass
                yield escape(environment.getattr(l_2_region, 'label'))
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_region = missing
            yield '.</p>\n'
        yield '</section>\n'
    l_1_loop = l_1_field = l_1_field_kinds = missing
    l_1_loop = missing
    for l_1_fact, l_1_loop in LoopContext(environment.getattr((undefined(name='codebook') if l_0_codebook is missing else l_0_codebook), 'derived'), undefined):
        _loop_vars = {}
        pass
        yield '<section class="codebook-field" id="field-'
        yield escape(environment.getattr(l_1_fact, 'key'))
        yield '">\n  <h3>'
        yield escape(environment.getattr(l_1_fact, 'label'))
        yield ' <code>'
        yield escape(environment.getattr(l_1_fact, 'key'))
        yield '</code> <span class="muted">(derived)</span></h3>\n  <p>'
        yield escape(environment.getattr(l_1_fact, 'description'))
        yield ' Computed from the coded fields: '
        l_2_loop = missing
        for l_2_condition, l_2_loop in LoopContext(environment.getattr(l_1_fact, 'conditions'), undefined):
            _loop_vars = {}
            pass
            yield escape(context.call(environment.getattr(l_2_condition, 'describe'), _loop_vars=_loop_vars))
            if (not environment.getattr(l_2_loop, 'last')):
                pass
                yield ', and '
        l_2_loop = l_2_condition = missing
        yield '.</p>\n</section>\n'
    l_1_loop = l_1_fact = missing
    yield '<p>Any field may hold <code>'
    yield escape(environment.getattr((undefined(name='codebook') if l_0_codebook is missing else l_0_codebook), 'not_coded'))
    yield '</code> while the study has not been coded for it; this is reported apart from "none".</p>\n</div>\n'

blocks = {}
debug_info = '2=14&3=19&4=21&5=25&6=32&7=35&8=47&9=51&13=63&14=67&15=69&16=73&19=87'